package io.tributary.cli;

import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Failures as the one line a user acts on: what is missing and what to do next. The underlying
 * exception stays attached as the cause; {@code --verbose} prints the chain.
 */
final class Errors {
    /** Longest message printed without --verbose; longer ones are cut (the cause has it all). */
    static final int MAX_LINE = 300;

    private Errors() {
    }

    /**
     * An AWS SDK client-side failure (nothing answered, or nothing could be sent) for {@code service}
     * at {@code endpoint} (null = AWS itself).
     */
    static CliException aws(String service, String endpoint, SdkClientException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        String where = endpoint == null || endpoint.isBlank() ? "" : " at " + endpoint;
        if (m.startsWith("Unable to load credentials")) {
            return new CliException("no AWS credentials for " + service + where + " (none in the environment, system"
                    + " properties, profile, container or instance metadata): for the local stack run `tributary local up`"
                    + " (it writes .tributary/local.env); for AWS set AWS_PROFILE or AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY", e);
        }
        if (m.startsWith("Unable to load region")) {
            return new CliException("no AWS region for " + service + where + ": set AWS_REGION (the local stack's"
                    + " .tributary/local.env sets it)", e);
        }
        String hint = where.isEmpty() ? " (no local stack configured: `tributary local up` starts one)"
                : " (is the local stack up? `tributary local status`)";
        return new CliException("cannot reach " + service + where + ": " + shorten(firstLine(m)) + hint, e);
    }

    /** The endpoint override for {@code key} in {@code env}, or null (AWS itself). */
    static String endpoint(Map<String, String> env, String key) {
        String ep = env.get(key);
        return ep == null || ep.isBlank() ? null : ep;
    }

    /** The one line for any failure that reaches the top of a command. */
    static String line(Throwable e) {
        if (e instanceof CliException) {
            return shorten(firstLine(e.getMessage()));
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException sce) {
                return line(aws("AWS", null, sce));
            }
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + shorten(firstLine(m)))
                + " (run again with --verbose for the cause chain)";
    }

    /** The cause chain, one {@code caused by:} line per cause, for {@code --verbose}. */
    static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(t == e ? "  error: " : "  caused by: ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String shorten(String s) {
        return s.length() <= MAX_LINE ? s : s.substring(0, MAX_LINE - 3) + "...";
    }
}
