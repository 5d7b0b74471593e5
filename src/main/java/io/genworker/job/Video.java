package io.genworker.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The finished video as the provider describes it; only `url` is always present. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Video(String url, String contentType, String fileName, Long fileSize) {
}
