package io.distill4j.eval;

import io.distill4j.util.HeapArrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * Segments an image of any size at its native scale with a model trained on fixed-size patches: the image is covered
 * by overlapping patch-sized tiles (the last row and column of tiles aligned with the far edges), each tile is
 * predicted, and the class probabilities are blended with a tent window (highest at a tile's centre, where a U-Net
 * sees the most context) and cropped back to the image's size. An image smaller than a patch is padded by repeating
 * its last row/column, then cropped back. Shrinking a whole image to one patch instead would change its scale from the
 * one the model learned, and with it the predictions.
 */
public final class TiledSegmentation {

    /** Tiles per forward pass. */
    private static final int BATCH = 16;

    /** Probabilities {@code [N, K, h, w]} for a batch of normalised tiles. */
    private final java.util.function.UnaryOperator<INDArray> model;
    private final int patchHeight;
    private final int patchWidth;
    private final double overlap;

    /**
     * @param overlap fraction of a tile shared with its neighbour, in [0, 1)
     */
    public TiledSegmentation(ComputationGraph model, int patchHeight, int patchWidth, double overlap) {
        this(model::outputSingle, patchHeight, patchWidth, overlap);
    }

    /**
     * @param model probabilities for a batch of normalised tiles (a DL4J graph, or a deployed ONNX model)
     * @param overlap fraction of a tile shared with its neighbour, in [0, 1)
     */
    public TiledSegmentation(java.util.function.UnaryOperator<INDArray> model, int patchHeight, int patchWidth,
                             double overlap) {
        if (!(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("tile overlap must be in [0, 1), got " + overlap);
        }
        this.model = model;
        this.patchHeight = patchHeight;
        this.patchWidth = patchWidth;
        this.overlap = overlap;
    }

    /** Per-pixel class probabilities {@code [1, K, H, W]} for a normalized image {@code [1, C, H, W]}. */
    public INDArray probabilities(INDArray image) {
        int height = (int) image.size(2);
        int width = (int) image.size(3);
        INDArray padded = padToPatch(image.castTo(DataType.FLOAT));
        int paddedHeight = (int) padded.size(2);
        int paddedWidth = (int) padded.size(3);
        int[] tops = offsets(paddedHeight, patchHeight, stride(patchHeight));
        int[] lefts = offsets(paddedWidth, patchWidth, stride(patchWidth));
        INDArray window = window(patchHeight, patchWidth);
        INDArray sum = null;
        INDArray weight = Nd4j.zeros(DataType.FLOAT, paddedHeight, paddedWidth);
        List<int[]> tiles = new ArrayList<>();
        for (int top : tops) {
            for (int left : lefts) {
                tiles.add(new int[]{top, left});
            }
        }
        for (int from = 0; from < tiles.size(); from += BATCH) {
            List<int[]> batch = tiles.subList(from, Math.min(tiles.size(), from + BATCH));
            INDArray[] inputs = batch.stream().map(t -> padded.get(region(t[0], t[1]))).toArray(INDArray[]::new);
            INDArray output = model.apply(Nd4j.concat(0, inputs)).castTo(DataType.FLOAT);
            if (sum == null) {
                sum = Nd4j.zeros(DataType.FLOAT, 1, output.size(1), paddedHeight, paddedWidth);
            }
            for (int i = 0; i < batch.size(); i++) {
                int[] t = batch.get(i);
                INDArrayIndex rows = NDArrayIndex.interval(t[0], t[0] + patchHeight);
                INDArrayIndex columns = NDArrayIndex.interval(t[1], t[1] + patchWidth);
                for (int k = 0; k < output.size(1); k++) {
                    sum.get(NDArrayIndex.point(0), NDArrayIndex.point(k), rows, columns)
                            .addi(output.get(NDArrayIndex.point(i), NDArrayIndex.point(k), NDArrayIndex.all(),
                                    NDArrayIndex.all()).mul(window));
                }
                weight.get(rows, columns).addi(window);
            }
        }
        for (int k = 0; k < sum.size(1); k++) {
            sum.get(NDArrayIndex.point(0), NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.all()).divi(weight);
        }
        return sum.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, height),
                NDArrayIndex.interval(0, width)).dup('c');
    }

    /** The predicted class of every pixel, {@code [H, W]}. */
    public INDArray classIds(INDArray image) {
        return Metrics.predictedClassIds(probabilities(image)).get(NDArrayIndex.point(0));
    }

    private int stride(int patch) {
        return Math.max(1, patch - (int) Math.round(patch * overlap));
    }

    /** Tile starts along one axis: every {@code stride} pixels, the last one ending exactly at the edge. */
    static int[] offsets(int size, int patch, int stride) {
        List<Integer> starts = new ArrayList<>();
        for (int start = 0; start + patch < size; start += stride) {
            starts.add(start);
        }
        starts.add(size - patch);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A tent window, 1 … ⌈patch/2⌉ … 1 along each axis (never 0, so a pixel at an image edge keeps its weight). */
    private static INDArray window(int height, int width) {
        float[] values = new float[height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                values[y * width + x] = Math.min(y + 1, height - y) * (float) Math.min(x + 1, width - x);
            }
        }
        return HeapArrays.floats(values, height, width);
    }

    private INDArrayIndex[] region(int top, int left) {
        return new INDArrayIndex[]{NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + patchHeight),
                NDArrayIndex.interval(left, left + patchWidth)};
    }

    /** Repeats the last row/column until the image is at least one patch in each direction. */
    private INDArray padToPatch(INDArray image) {
        long height = image.size(2);
        long width = image.size(3);
        if (height >= patchHeight && width >= patchWidth) {
            return image;
        }
        long paddedHeight = Math.max(height, patchHeight);
        long paddedWidth = Math.max(width, patchWidth);
        INDArray padded = Nd4j.create(DataType.FLOAT, image.size(0), image.size(1), paddedHeight, paddedWidth);
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, height), NDArrayIndex.interval(0, width))
                .assign(image);
        for (long y = height; y < paddedHeight; y++) {
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.interval(0, width))
                    .assign(image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(height - 1),
                            NDArrayIndex.all()));
        }
        for (long x = width; x < paddedWidth; x++) {
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(x))
                    .assign(padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                            NDArrayIndex.point(width - 1)));
        }
        return padded;
    }
}
