package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

/**
 * One packaged worker as a separate JVM, as a deployment runs it: configured through the environment, probed on
 * {@code /q/health/ready}, stopped with SIGTERM (the hand-over) or killed with SIGKILL, and started again on the
 * same HTTP port. Each start writes its own log file.
 */
public final class WorkerProcess {

    /** The packaged worker; the system property {@code worker.jar} names another build (a benchmark's baseline). */
    public static final Path JAR = Path.of(System.getProperty("worker.jar", "target/quarkus-app/quarkus-run.jar"));

    /** Polls every second instead of the production defaults: the simulated generations take seconds. */
    public static final Map<String, String> SHORT_POLLS = Map.of(
            "WORKER_POLLING_STRATEGY", "fixed",
            "WORKER_POLLING_FIRST_POLL", "1s",
            "WORKER_POLLING_INTERVAL", "1s",
            "WORKER_POLLING_BACKOFF_INITIAL", "200ms",
            "WORKER_POLLING_BACKOFF_MAX", "2s");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String name;
    private final String bootstrap;
    private final String providerUrl;
    private final Path logs;
    private final Map<String, String> env;
    private final int port;
    private int starts;
    private Process process;

    /**
     * @param env environment on top of the broker, the simulator's URL and keys and the HTTP port (it may replace
     *            the keys: {@code AIMLAPI_API_KEY})
     */
    public WorkerProcess(String name, String bootstrap, String providerUrl, Path logs, Map<String, String> env) {
        this.name = name;
        this.bootstrap = bootstrap;
        this.providerUrl = providerUrl;
        this.logs = logs;
        this.env = Map.copyOf(env);
        this.port = ChildProcesses.freePort();
    }

    public String name() {
        return name;
    }

    public WorkerProcess start() {
        try {
            process = ChildProcesses.killedOnExit(EmbeddedStack.startWorker(JAR, bootstrap, providerUrl, port, env,
                    List.of("-Xmx512m"), logs.resolve(name + "-" + (starts++) + ".log")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name, e);
        }
        return this;
    }

    /** Waits (generously) until {@code /q/health/ready} answers 200. */
    public void awaitReady() {
        Awaitility.await(name + " ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(this::ready);
    }

    public boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** GET on the worker's HTTP port ({@code /q/health/ready}, {@code /q/metrics}): status and body. */
    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " of worker " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The process of the current start: a worker that recovers on its own keeps the same one. */
    public long pid() {
        return process.pid();
    }

    /** The exit status of the current start, once it has ended (137 after a SIGKILL). */
    public int exitValue() {
        return process.exitValue();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** How many times this worker was started. */
    public int starts() {
        return starts;
    }

    /** SIGTERM, and wait for the clean exit (partitions handed over, writes flushed). */
    public void terminate() {
        stop(true);
    }

    /** SIGKILL: no hand-over, the group notices after the session timeout. */
    public void kill() {
        stop(false);
    }

    /** SIGSTOP: the process freezes (a stalled VM, a GC pause of seconds) without knowing it; {@link #thaw} resumes. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT: a frozen process runs on from where it stopped, still believing what it believed then. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stop(boolean graceful) {
        ChildProcesses.end(process, graceful);
    }

    /** The environment of workers that poll every second, with more settings on top. */
    public static Map<String, String> shortPolls(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(SHORT_POLLS);
        env.putAll(more);
        return env;
    }
}
