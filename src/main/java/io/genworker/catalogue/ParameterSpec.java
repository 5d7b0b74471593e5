package io.genworker.catalogue;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One input parameter as the provider documents it. `type` is string, integer or boolean; `format` image-url means
 * an http(s) URL or a base64 data URI, as the providers accept for image inputs.
 */
public record ParameterSpec(
        String type,
        boolean required,
        @JsonProperty("enum") List<JsonNode> allowed,
        Long minimum,
        Long maximum,
        Integer minLength,
        Integer maxLength,
        String format,
        @JsonProperty("default") JsonNode defaultValue) {
}
