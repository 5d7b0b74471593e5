package io.genworker.polling;

/**
 * How a generation ended, as the poll policy learns it: successes and failures end at different times (a content
 * block or an unreadable image fails within seconds, a video takes a minute), so they are learned apart.
 */
public enum Ending {
    SUCCEEDED,
    FAILED
}
