package io.genworker.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the adapters copy from a job's input into the body they send. */
public final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * The parameters the input gives. Intake reads a null parameter as one not given (refused when required, the
     * provider's default otherwise), so it is left out rather than sent: the providers' published schemas do not
     * allow null for any parameter that has no null default.
     */
    public static void putGiven(ObjectNode body, ObjectNode input) {
        if (input == null) {
            return;
        }
        input.properties().forEach(parameter -> {
            if (!parameter.getValue().isNull()) {
                body.set(parameter.getKey(), parameter.getValue());
            }
        });
    }
}
