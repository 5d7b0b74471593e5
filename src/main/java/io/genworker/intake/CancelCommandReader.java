package io.genworker.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.job.Cancellation;
import io.genworker.job.ErrorDetail;

/**
 * Reads a record of the control topic: today one kind of command, cancel. Parsed as strictly as a request (the same
 * size, depth and UTF-8 rules, the same job-id rules, no unknown field). A command that breaks a rule has no job to
 * fail (its job id may be the broken part), so it goes to the dead-letter topic with every broken rule named.
 */
@ApplicationScoped
public class CancelCommandReader {

    static final Set<String> FIELDS = Set.of("type", "jobId", "reason", "requestedBy");
    static final int MAX_REASON = 500;
    static final int MAX_REQUESTED_BY = 200;

    /** What a control record is. */
    public sealed interface Command {
    }

    /** Cancel this job. */
    public record Cancel(String jobId, Cancellation cancellation) implements Command {
    }

    /** Not a command this worker carries out: the reason goes with the dead letter. */
    public record Unreadable(String reason) implements Command {
    }

    private final RequestReader requests;

    public CancelCommandReader(RequestReader requests) {
        this.requests = requests;
    }

    public Command read(String key, byte[] value, Instant now) {
        Object parsed = requests.parse(value, "a control command");
        if (parsed instanceof String problem) {
            return new Unreadable(problem);
        }
        ObjectNode root = (ObjectNode) parsed;
        List<ErrorDetail> details = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                details.add(new ErrorDetail(String.valueOf(InputValidator.shorten(name)), "unknown-field", null));
            }
        }
        String type = RequestReader.text(root, "type", true, details);
        if (type != null && !type.equals("cancel")) {
            details.add(new ErrorDetail("type", "one-of:[cancel]", InputValidator.shorten(type)));
        }
        String jobId = requests.readJobId(key, root.get("jobId"), details);
        String reason = bounded(root, "reason", MAX_REASON, details);
        String requestedBy = bounded(root, "requestedBy", MAX_REQUESTED_BY, details);
        if (!details.isEmpty()) {
            return new Unreadable("control command refused: " + details.size() + " rule(s) broken: "
                    + RequestReader.summary(details));
        }
        return new Cancel(jobId, Cancellation.requested(now, reason, requestedBy));
    }

    private static String bounded(ObjectNode root, String field, int max, List<ErrorDetail> details) {
        String text = RequestReader.text(root, field, false, details);
        if (text != null && text.length() > max) {
            details.add(new ErrorDetail(field, "maxLength:" + max, text.length()));
            return null;
        }
        return text;
    }
}
