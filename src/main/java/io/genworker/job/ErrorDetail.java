package io.genworker.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One broken rule: which field, which rule, and the offending value (shortened). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorDetail(String field, String rule, Object value) {
}
