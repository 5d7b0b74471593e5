package io.genworker.catalogue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** "When field A equals X, field B may not be one of [...]": the shape of every cross-field rule in the docs. */
public record CrossFieldRule(String rule, Condition when, String field, List<JsonNode> notIn, String message) {

    public record Condition(String field, JsonNode equals) {
    }
}
