package io.genworker.support;

/** The ids of the catalogue's models, for tests that name one. */
public final class ModelIds {

    public static final String TEXT_TO_VIDEO = "pixverse/v5/text-to-video";
    public static final String IMAGE_TO_VIDEO = "pixverse/v5/image-to-video";
    public static final String TRANSITION = "pixverse/v5/transition";
    public static final String SEGMIND_V5 = "pixverse-5-transition";
    public static final String SEGMIND_V4 = "pixverse-transition";

    private ModelIds() {
    }
}
