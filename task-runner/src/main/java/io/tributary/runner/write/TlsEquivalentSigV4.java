package io.tributary.runner.write;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * The runner's S3 request signing: SigV4 exactly as the SDK signs an {@code https://} request, on any endpoint.
 * Over HTTPS (AWS, any TLS endpoint) it changes nothing: S3 requests carry {@code UNSIGNED-PAYLOAD} and TLS protects
 * the bytes. Over plain {@code http://} (the local stack's S3Mock, a MinIO without TLS) the SDK would instead sign
 * every byte of every part, as 128 KiB SigV4 chunks (a SHA-256 per chunk, an HMAC chain and a copy); that cost only
 * existed off AWS, and made the bench charge the runner for work production never does (README, "Results: full run after the S3 request trims").
 * Headers are signed as before, so the server still authenticates the request.
 */
public final class TlsEquivalentSigV4 implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4AuthScheme sigV4 = AwsV4AuthScheme.create();
    /** Made once: the SDK asks the scheme for its signer on every request. */
    private final HttpSigner<AwsCredentialsIdentity> signer = asOverTls(sigV4.signer());

    @Override
    public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return sigV4.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return signer;
    }

    private static HttpSigner<AwsCredentialsIdentity> asOverTls(HttpSigner<AwsCredentialsIdentity> signer) {
        return new HttpSigner<>() {
            @Override
            public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
                SdkHttpRequest http = request.request();
                if (!"http".equals(http.protocol())) {
                    return signer.sign(request);
                }
                SignedRequest signed = signer.sign(request.copy(b -> b.request(asHttps(http))));
                return signed.copy(b -> b.request(signed.request().toBuilder().protocol("http").port(http.port()).build()));
            }

            @Override
            public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
                return signer.signAsync(request); // the runner's S3 client is synchronous
            }
        };
    }

    /**
     * The same request as {@code https}: the host and path are what is signed, so they stay; the default port of
     * http (80) becomes https' (443), so the signed Host header stays the bare host the client sends.
     */
    static SdkHttpRequest asHttps(SdkHttpRequest http) {
        return http.toBuilder().protocol("https").port(http.port() == 80 ? 443 : http.port()).build();
    }
}
