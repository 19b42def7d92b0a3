package io.distill4j.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Accumulates a SHA-256 over the parameters and content that define a dataset. */
final class Fingerprint {

    private final MessageDigest digest;

    Fingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    Fingerprint add(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        add(bytes.length);
        digest.update(bytes);
        return this;
    }

    Fingerprint add(long value) {
        for (int i = 0; i < 8; i++) {
            digest.update((byte) (value >>> (8 * i)));
        }
        return this;
    }

    Fingerprint add(byte[] bytes) {
        add(bytes.length);
        digest.update(bytes);
        return this;
    }

    /**
     * Adds the spec's options except {@code path}: the content is hashed separately, so moving the data elsewhere
     * keeps the fingerprint.
     */
    Fingerprint addSpec(DatasetSpec spec) {
        Map<String, Object> options = new TreeMap<>(spec.givenOptions());
        options.remove("path");
        add(spec.type().toString()).add(String.valueOf(options));
        return this;
    }

    String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
