package io.genworker.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The small clip a browser can play (2 s, VP9 in WebM, 320x180, made by {@code .ci/make-simulator-clip}), served
 * instead of the patterned bytes when the simulator is asked for playable videos. Read once from the test
 * classpath; its size and SHA-256 are the file's own, so the archive's checks pass whatever encoder made it.
 */
final class SimulatorClip {

    static final String CONTENT_TYPE = "video/webm";
    static final String EXTENSION = "webm";
    private static final String RESOURCE = "/simulator/clip.webm";

    private static volatile SimulatorClip loaded;

    private final byte[] bytes;
    private final String sha256;

    private SimulatorClip(byte[] bytes) {
        this.bytes = bytes;
        try {
            this.sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loaded on first use: a simulator that never serves the clip never needs the resource. */
    static SimulatorClip get() {
        SimulatorClip clip = loaded;
        if (clip == null) {
            try (InputStream in = SimulatorClip.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is not on the classpath");
                }
                clip = new SimulatorClip(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            loaded = clip;
        }
        return clip;
    }

    long size() {
        return bytes.length;
    }

    String sha256() {
        return sha256;
    }

    /** Bytes [offset, offset + length). */
    byte[] bytes(long offset, int length) {
        return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }
}
