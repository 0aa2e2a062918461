package io.tributary.runner;

import jakarta.enterprise.context.ApplicationScoped;

/** The running {@link TaskRunner}, for the health checks (set by {@link RunnerMain}). */
@ApplicationScoped
public class RunnerHolder {
    private volatile TaskRunner runner;

    void set(TaskRunner r) {
        runner = r;
    }

    TaskRunner get() {
        return runner;
    }
}
