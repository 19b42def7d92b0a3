package io.distill4j.data;

import io.distill4j.util.HeapArrays;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;

import java.util.List;

/**
 * Batches over in-memory {@link Samples}, assembled from their bytes: holding a split as float tensors would take
 * four times the memory.
 */
final class SampleIterator extends EpochIterator {

    private final Samples samples;

    SampleIterator(Samples samples, int batchSize, boolean shuffle, boolean augment, long seed,
                   List<String> classNames, DataSetPreProcessor preProcessor) {
        super(samples.size(), samples.channels, samples.height, samples.width, batchSize, shuffle, augment, seed,
                classNames, preProcessor);
        this.samples = samples;
    }

    @Override
    DataSet load(int[] order, int from, int count) {
        int imageLength = samples.channels * samples.height * samples.width;
        int labelLength = samples.labelLength();
        float[] features = new float[count * imageLength];
        float[] labels = new float[count * labelLength];
        for (int b = 0; b < count; b++) {
            byte[] image = samples.image(order[from + b]);
            byte[] label = samples.label(order[from + b]);
            for (int i = 0; i < imageLength; i++) {
                features[b * imageLength + i] = image[i] & 0xFF;
            }
            for (int i = 0; i < labelLength; i++) {
                labels[b * labelLength + i] = label[i] & 0xFF;
            }
        }
        long[] labelShape = samples.pixelLabels ? new long[]{count, 1, samples.height, samples.width}
                : new long[]{count, 1};
        return new DataSet(HeapArrays.floats(features, count, samples.channels, samples.height, samples.width),
                HeapArrays.floats(labels, labelShape));
    }
}
