package io.tributary.runner;

import org.jboss.logging.Logger;

/**
 * SIGTERM and SIGINT start a graceful stop (flush and commit, then exit 0) instead of the JVM's
 * immediate shutdown-hook path. Uses {@code sun.misc.Signal}, which native images support.
 */
final class Signals {
    private static final Logger LOG = Logger.getLogger(Signals.class);

    private Signals() {
    }

    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    LOG.infof("SIG%s: stopping gracefully (flush, commit, exit)", name);
                    action.run();
                });
            } catch (IllegalArgumentException e) {
                LOG.debugf("cannot handle SIG%s: %s", name, e.getMessage());
            }
        }
    }
}
