package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** What the worker and broker processes of the tests share: ports, and stopping a child JVM one way or the other. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /** SIGTERM (graceful) or SIGKILL, then waits for the process to end; a SIGTERM ignored for 2 minutes is a kill. */
    static void end(Process process, boolean graceful) {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (graceful) {
            process.destroy();
        } else {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the child if this JVM ends first (a failed or interrupted test run leaves no orphan). */
    static Process killedOnExit(Process process) {
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
