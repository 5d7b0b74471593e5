package io.genworker.console;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The operator console's settings ({@code worker.console.*}). Its login is the API's: the generated users of
 * {@code worker.api.basic} through a form (the session lives in an encrypted cookie, see
 * {@code quarkus.http.auth.session.encryption-key}); its data is the job index's.
 */
@ConfigMapping(prefix = "worker.console")
public interface ConsoleConfig {

    /** Whether {@code /console} answers at all; off, it answers 404. */
    @WithDefault("true")
    boolean enabled();

    /** The live table's refresh rate when the page is opened (the viewer may pause it or pick another). */
    @WithDefault("5s")
    Duration refresh();

    /**
     * The refresh rates a viewer may pick; the shortest bounds the load one open page puts on the index (one page
     * of rows per tick, no counts).
     */
    @WithDefault("2s,5s,10s,30s")
    List<Duration> refreshChoices();

    /** Live streams this worker serves at once; a page opened past it shows the table without live updates. */
    @WithDefault("32")
    int maxStreams();

    /**
     * Live streams one browser may hold at once (its tabs, or a script with its cookies): the rest are everyone
     * else's. Counted by browser, since everyone signs in as one of the two generated users.
     */
    @WithDefault("6")
    int maxStreamsPerUser();

    /**
     * Live tables read from the index at the same moment, at most: the index's connections are shared with the
     * indexer, which must not wait behind pages. A tick that finds them busy is skipped.
     */
    @WithDefault("2")
    int concurrentReads();

    /**
     * How long one live stream lasts before the server ends it; the browser reconnects, so a stream never outlives
     * its session for longer than this.
     */
    @WithDefault("5m")
    Duration streamLifetime();

    /** Rows a page of the jobs table shows. */
    @WithDefault("50")
    int pageSize();

    /**
     * Origins (scheme://host[:port]) the video player may load archived videos from, besides those derived from
     * {@code worker.archive.public-base-url} and {@code endpoint-override}: the Content-Security-Policy's media-src.
     */
    Optional<List<String>> mediaOrigins();
}
