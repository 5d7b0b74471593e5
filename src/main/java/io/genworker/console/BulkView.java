package io.genworker.console;

import io.genworker.api.BulkActionResource;

/**
 * A bulk action's dry run as the confirmation step shows it: how many jobs the filter matches, how many the action
 * would change, and the URL that applies it (the same filter, without {@code dryRun}).
 */
public record BulkView(String action, BulkActionResource.BulkResult result, String applyUrl, int cap) {

    /** Whether the confirm button is offered: something to do, and within the cap. */
    public boolean applicable() {
        return result.eligible() > 0 && result.withinCap() && result.complete();
    }
}
