package io.tributary.infra;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 entry to the local stack: {@code @ExtendWith(LocalStackExtension.class)} and take a
 * {@link LocalStack} parameter (test method, constructor, {@code @BeforeAll}, {@code @BeforeEach}).
 * One stack per test JVM, shared by all classes; each server starts on first use and dies with the
 * JVM. Servers named in the environment ({@code TRIBUTARY_KAFKA_BOOTSTRAP},
 * {@code TRIBUTARY_DYNAMODB_ENDPOINT}, {@code TRIBUTARY_S3_ENDPOINT}) are reused, not started.
 */
public final class LocalStackExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return parameterContext.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return LocalStack.forTests();
    }
}
