package io.distill4j.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Batches over in-memory {@link Samples}: features {@code [N, C, H, W]} and sparse labels ({@code [N, 1, H, W]} or
 * {@code [N, 1]}) as float32, in an order and with augmentations drawn per epoch from the seed.
 *
 * <p>DL4J's {@code ListDataSetIterator}/{@code ExistingDataSetIterator} replay fixed {@code DataSet}s: they neither
 * reshuffle per epoch reproducibly nor augment, and holding the split as float tensors would take four times the
 * memory of these bytes; so this iterator assembles each batch from the bytes.
 */
final class SampleIterator implements DataSetIterator {

    private final Samples samples;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean augment;
    private final long seed;
    private final List<String> classNames;
    private DataSetPreProcessor preProcessor;

    private int epoch;
    private int cursor;
    private int[] order;
    private int[] transforms;

    /**
     * @param seed already mixed with the split, so splits do not share shuffles
     */
    SampleIterator(Samples samples, int batchSize, boolean shuffle, boolean augment, long seed,
                   List<String> classNames, DataSetPreProcessor preProcessor) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.samples = samples;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.augment = augment;
        this.seed = seed;
        this.classNames = classNames;
        this.preProcessor = preProcessor;
        prepareEpoch();
    }

    private void prepareEpoch() {
        int n = samples.size();
        Random random = new Random(seed * 1_000_003L + epoch);
        order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        transforms = new int[n];
        if (augment) {
            for (int i = 0; i < n; i++) {
                transforms[i] = Augmentation.randomTransform(random, samples.height, samples.width);
            }
        }
    }

    /** The current epoch, counted from 0; advanced by a {@link #reset()} after at least one batch. */
    int epoch() {
        return epoch;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in this epoch; call reset()");
        }
        int count = Math.min(num, samples.size() - cursor);
        int c = samples.channels;
        int h = samples.height;
        int w = samples.width;
        int imageLength = c * h * w;
        int labelLength = samples.labelLength();
        float[] features = new float[count * imageLength];
        float[] labels = new float[count * labelLength];
        for (int b = 0; b < count; b++) {
            int position = cursor + b;
            int index = order[position];
            byte[] image = samples.image(index);
            byte[] label = samples.label(index);
            for (int i = 0; i < imageLength; i++) {
                features[b * imageLength + i] = image[i] & 0xFF;
            }
            for (int i = 0; i < labelLength; i++) {
                labels[b * labelLength + i] = label[i] & 0xFF;
            }
            int transform = transforms[position];
            Augmentation.apply(features, b * imageLength, c, h, w, transform);
            if (samples.pixelLabels) {
                Augmentation.apply(labels, b * labelLength, 1, h, w, transform);
            }
        }
        cursor += count;
        long[] labelShape = samples.pixelLabels ? new long[]{count, 1, h, w} : new long[]{count, 1};
        DataSet batch = new DataSet(Nd4j.create(features, new long[]{count, c, h, w}, 'c'),
                Nd4j.create(labels, labelShape, 'c'));
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < samples.size();
    }

    @Override
    public int inputColumns() {
        return samples.channels * samples.height * samples.width;
    }

    @Override
    public int totalOutcomes() {
        return classNames.size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        if (cursor > 0) {
            epoch++;
            prepareEpoch();
        }
        cursor = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return classNames;
    }
}
