package io.genworker.catalogue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model as one provider serves it: its documented parameters and the rules between them. */
public record ModelSpec(
        String model,
        String provider,
        String doc,
        Map<String, List<Integer>> typicalSeconds,
        LinkedHashMap<String, ParameterSpec> parameters,
        List<CrossFieldRule> rules) {

    public ModelSpec {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }
}
