package io.distill4j.data;

import java.util.Random;

/**
 * Flips and 90° rotations (the eight symmetries of a square; the four flips of a non-square sample) applied in place
 * to NCHW float buffers, so that an image and its mask can be given the very same transform.
 *
 * <p>DataVec's {@code FlipImageTransform}/{@code RotateImageTransform} work on one OpenCV image at a time with their
 * own random draws and cannot be tied to a mask, hence this small index mapping.
 */
public final class Augmentation {

    /** The transform that leaves a sample unchanged. */
    public static final int IDENTITY = 0;

    private Augmentation() {
    }

    /** A random transform code: bit 0 mirrors left-right, bit 1 top-bottom, bit 2 transposes (square samples only). */
    public static int randomTransform(Random random, int height, int width) {
        return random.nextInt(height == width ? 8 : 4);
    }

    /**
     * Transforms every channel of the sample starting at {@code offset} ({@code channels × height × width} values,
     * row-major) in place.
     */
    public static void apply(float[] data, int offset, int channels, int height, int width, int transform) {
        if (transform == IDENTITY) {
            return;
        }
        if ((transform & 4) != 0 && height != width) {
            throw new IllegalArgumentException("a transposing transform needs a square sample, got "
                    + height + "x" + width);
        }
        int plane = height * width;
        float[] source = new float[plane];
        for (int c = 0; c < channels; c++) {
            int base = offset + c * plane;
            System.arraycopy(data, base, source, 0, plane);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int a = (transform & 4) != 0 ? x : y;
                    int b = (transform & 4) != 0 ? y : x;
                    int sy = (transform & 2) != 0 ? height - 1 - a : a;
                    int sx = (transform & 1) != 0 ? width - 1 - b : b;
                    data[base + y * width + x] = source[sy * width + sx];
                }
            }
        }
    }
}
