package io.distill4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Materialised samples of one split: 8-bit images ({@code C×H×W}, row-major) and 8-bit labels ({@code H×W} class ids
 * for segmentation, one class id for classification). Kept as bytes, four times smaller than float tensors, and
 * turned into float batches by {@link SampleIterator}.
 */
final class Samples {

    final int channels;
    final int height;
    final int width;
    final boolean pixelLabels;
    private final List<byte[]> images = new ArrayList<>();
    private final List<byte[]> labels = new ArrayList<>();

    Samples(int channels, int height, int width, boolean pixelLabels) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixelLabels = pixelLabels;
    }

    void add(byte[] image, byte[] label) {
        if (image.length != channels * height * width) {
            throw new IllegalArgumentException("image has " + image.length + " values, expected "
                    + channels * height * width);
        }
        if (label.length != labelLength()) {
            throw new IllegalArgumentException("label has " + label.length + " values, expected " + labelLength());
        }
        images.add(image);
        labels.add(label);
    }

    int labelLength() {
        return pixelLabels ? height * width : 1;
    }

    int size() {
        return images.size();
    }

    byte[] image(int i) {
        return images.get(i);
    }

    byte[] label(int i) {
        return labels.get(i);
    }

    /** The samples at the given indices, sharing their arrays. */
    Samples subset(List<Integer> indices) {
        Samples subset = new Samples(channels, height, width, pixelLabels);
        for (int i : indices) {
            subset.images.add(images.get(i));
            subset.labels.add(labels.get(i));
        }
        return subset;
    }

    List<byte[]> labels() {
        return Collections.unmodifiableList(labels);
    }
}
