package io.distill4j.model;

import io.distill4j.data.Task;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;

/**
 * Everything {@link UNetFactory} needs to build one network. The teacher and the student are two presets of this
 * one spec; any filter list, channel count, class count and input size works.
 *
 * @param filters          filters per encoder block, shallow to deep; the decoder mirrors all but the last
 * @param inputChannels    image channels
 * @param numClasses       classes (output channels / head width)
 * @param height           input height; must be divisible by 2^(blocks - 1) for segmentation
 * @param width            input width; likewise
 * @param encoderDropout   dropout rate (fraction dropped, as in Keras) per encoder block; 0 omits the layer
 * @param decoderDropout   dropout rate per decoder block, deep to shallow
 * @param task             SEGMENTATION builds the U-Net; CLASSIFICATION the same encoder with a pooled dense head
 * @param seed             weight initialisation seed
 * @param updater          DL4J optimizer (Adam 1e-3 by default)
 * @param alpha            distillation loss weight of the hard labels (1 = no distillation)
 * @param temperature      distillation temperature
 * @param ignoreIndex      class id excluded from the loss, or null
 * @param dataType         network data type
 */
public record UNetSpec(List<Integer> filters, int inputChannels, int numClasses, int height, int width,
                       List<Double> encoderDropout, List<Double> decoderDropout, Task task, long seed,
                       IUpdater updater, double alpha, double temperature, Integer ignoreIndex, DataType dataType) {

    public static final List<Integer> TEACHER_FILTERS = List.of(16, 32, 64, 128, 256);
    public static final List<Integer> STUDENT_FILTERS = List.of(4, 8, 16, 32, 64);
    /** The seed U-Net's dropout: encoder blocks 1..5, then decoder blocks deep to shallow. */
    public static final List<Double> ENCODER_DROPOUT = List.of(0.1, 0.1, 0.2, 0.2, 0.3);
    public static final List<Double> DECODER_DROPOUT = List.of(0.2, 0.2, 0.1, 0.1);

    public UNetSpec {
        filters = List.copyOf(filters);
        encoderDropout = List.copyOf(encoderDropout);
        decoderDropout = List.copyOf(decoderDropout);
        if (filters.isEmpty() || filters.stream().anyMatch(f -> f == null || f < 1)) {
            throw new IllegalArgumentException("filters must be a non-empty list of positive counts, got " + filters);
        }
        if (encoderDropout.size() != filters.size()) {
            throw new IllegalArgumentException("encoderDropout needs one rate per encoder block (" + filters.size()
                    + "), got " + encoderDropout);
        }
        if (task == Task.SEGMENTATION && decoderDropout.size() != filters.size() - 1) {
            throw new IllegalArgumentException("decoderDropout needs one rate per decoder block (" + (filters.size() - 1)
                    + "), got " + decoderDropout);
        }
        for (double rate : concat(encoderDropout, decoderDropout)) {
            if (!(rate >= 0 && rate < 1)) {
                throw new IllegalArgumentException("dropout rates must be in [0, 1), got " + rate);
            }
        }
        if (inputChannels < 1) {
            throw new IllegalArgumentException("inputChannels must be >= 1, got " + inputChannels);
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        int multiple = 1 << (filters.size() - 1);
        if (height < multiple || width < multiple
                || (task == Task.SEGMENTATION && (height % multiple != 0 || width % multiple != 0))) {
            throw new IllegalArgumentException("input size " + height + "x" + width + " must be a positive multiple of "
                    + multiple + " for " + filters.size() + " encoder blocks");
        }
        if (updater == null) {
            throw new IllegalArgumentException("an updater (optimizer) is required");
        }
        if (ignoreIndex != null && ignoreIndex < 0) {
            throw new IllegalArgumentException("ignoreIndex must be >= 0, got " + ignoreIndex);
        }
        if (task == null || dataType == null) {
            throw new IllegalArgumentException("task and dataType are required");
        }
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** The seed teacher: filters 16..256. */
    public static UNetSpec teacher(Task task, int inputChannels, int numClasses, int height, int width) {
        return of(TEACHER_FILTERS, task, inputChannels, numClasses, height, width);
    }

    /** The seed student: filters 4..64, about 16x fewer parameters. */
    public static UNetSpec student(Task task, int inputChannels, int numClasses, int height, int width) {
        return of(STUDENT_FILTERS, task, inputChannels, numClasses, height, width);
    }

    /** Seed dropout, Adam 1e-3, seed 42, no distillation, float32. */
    public static UNetSpec of(List<Integer> filters, Task task, int inputChannels, int numClasses, int height, int width) {
        int blocks = filters.size();
        return new UNetSpec(filters, inputChannels, numClasses, height, width, seedDropout(ENCODER_DROPOUT, blocks),
                seedDropout(DECODER_DROPOUT, blocks - 1), task, 42L, new Adam(1e-3), 1.0, 1.0, null, DataType.FLOAT);
    }

    /** The seed's rates where the depth matches, else the nearest seed rate by relative depth. */
    private static List<Double> seedDropout(List<Double> seed, int blocks) {
        if (blocks == seed.size()) {
            return seed;
        }
        return java.util.stream.IntStream.range(0, blocks)
                .mapToObj(i -> seed.get(blocks == 1 ? 0 : Math.round((float) i * (seed.size() - 1) / (blocks - 1))))
                .toList();
    }

    public UNetSpec withDropout(List<Double> encoder, List<Double> decoder) {
        return new UNetSpec(filters, inputChannels, numClasses, height, width, encoder, decoder, task, seed,
                updater, alpha, temperature, ignoreIndex, dataType);
    }

    /** The same spec with every dropout rate 0 (e.g. for gradient checks). */
    public UNetSpec withoutDropout() {
        return withDropout(java.util.Collections.nCopies(encoderDropout.size(), 0.0),
                java.util.Collections.nCopies(decoderDropout.size(), 0.0));
    }

    public UNetSpec withSeed(long newSeed) {
        return new UNetSpec(filters, inputChannels, numClasses, height, width, encoderDropout, decoderDropout, task,
                newSeed, updater, alpha, temperature, ignoreIndex, dataType);
    }

    public UNetSpec withUpdater(IUpdater newUpdater) {
        return new UNetSpec(filters, inputChannels, numClasses, height, width, encoderDropout, decoderDropout, task,
                seed, newUpdater, alpha, temperature, ignoreIndex, dataType);
    }

    public UNetSpec withLoss(double newAlpha, double newTemperature, Integer newIgnoreIndex) {
        return new UNetSpec(filters, inputChannels, numClasses, height, width, encoderDropout, decoderDropout, task,
                seed, updater, newAlpha, newTemperature, newIgnoreIndex, dataType);
    }

    public UNetSpec withDataType(DataType type) {
        return new UNetSpec(filters, inputChannels, numClasses, height, width, encoderDropout, decoderDropout, task,
                seed, updater, alpha, temperature, ignoreIndex, type);
    }
}
