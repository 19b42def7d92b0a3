package io.distill4j.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.CollectionInputSplit;
import org.datavec.image.loader.NativeImageLoader;
import org.datavec.image.recordreader.ImageRecordReader;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Batches of an image-folder split through DataVec: {@code ImageRecordReader} + {@code ParentPathLabelGenerator}
 * under a {@code RecordReaderDataSetIterator}, re-initialised on a new seeded file order each epoch. On top of
 * DataVec it turns OpenCV's BGR into RGB and one-hot labels into sparse {@code [N, 1]} class ids, augments, and
 * names the file when a decode fails.
 */
final class ImageFolderIterator implements DataSetIterator {

    private final List<ImageFolders.Item> items;
    private final List<String> classNames;
    private final int height;
    private final int width;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean augment;
    private final long seed;
    private DataSetPreProcessor preProcessor;

    private int epoch;
    private int cursor;
    private List<ImageFolders.Item> order;
    private int[] transforms;
    private RecordReaderDataSetIterator delegate;

    ImageFolderIterator(List<ImageFolders.Item> items, List<String> classNames, int height, int width, int batchSize,
                        boolean shuffle, boolean augment, long seed, DataSetPreProcessor preProcessor) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.items = items;
        this.classNames = classNames;
        this.height = height;
        this.width = width;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.augment = augment;
        this.seed = seed;
        this.preProcessor = preProcessor;
        prepareEpoch();
    }

    private void prepareEpoch() {
        Random random = new Random(seed * 1_000_003L + epoch);
        order = new ArrayList<>(items);
        if (shuffle) {
            java.util.Collections.shuffle(order, random);
        }
        transforms = new int[order.size()];
        if (augment) {
            for (int i = 0; i < transforms.length; i++) {
                transforms[i] = Augmentation.randomTransform(random, height, width);
            }
        }
        delegate = null;
        if (order.isEmpty()) {
            return;
        }
        List<URI> uris = new ArrayList<>();
        for (ImageFolders.Item item : order) {
            uris.add(item.file().toUri());
        }
        ImageRecordReader reader = new ImageRecordReader(height, width, 3, new ParentPathLabelGenerator());
        reader.setLogLabelCountOnInit(false);
        try {
            reader.initialize(new CollectionInputSplit(uris));
        } catch (IOException e) {
            throw new DatasetException("Cannot open image folder files: " + e.getMessage(), e);
        }
        // Fix the label list to all classes: inferred from this split's files alone, a class missing from the split
        // would shift every later class id.
        reader.setLabels(new ArrayList<>(classNames));
        delegate = new RecordReaderDataSetIterator(reader, batchSize, 1, classNames.size());
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in this epoch; call reset()");
        }
        int count = Math.min(num, order.size() - cursor);
        DataSet raw;
        try {
            raw = delegate.next(count);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: where OpenCV cannot decode a file, M2.1's NativeImageLoader falls back to Leptonica,
            // whose natives the pom leaves out, and fails with UnsatisfiedLinkError instead of an IOException.
            throw new DatasetException(describeFailure(cursor, count, e), e);
        }
        INDArray features = raw.getFeatures();
        if (features.size(0) != count) {
            throw new IllegalStateException("DataVec returned " + features.size(0) + " images, expected " + count);
        }
        // OpenCV decodes to BGR; the rest of distill4j (masks, mosaics, other datasets) is RGB.
        features = features.get(NDArrayIndex.all(), NDArrayIndex.indices(2, 1, 0), NDArrayIndex.all(),
                NDArrayIndex.all()).castTo(DataType.FLOAT).dup('c');
        INDArray labels = Nd4j.argMax(raw.getLabels(), 1).reshape(count, 1).castTo(DataType.FLOAT);
        if (augment) {
            float[] data = features.data().asFloat();
            int sample = 3 * height * width;
            for (int b = 0; b < count; b++) {
                Augmentation.apply(data, b * sample, 3, height, width, transforms[cursor + b]);
            }
            features = Nd4j.create(data, new long[]{count, 3, height, width}, 'c');
        }
        cursor += count;
        DataSet batch = new DataSet(features, labels);
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    /** Finds the file of the batch that fails to decode on its own, so the error can name it. */
    private String describeFailure(int from, int count, Throwable e) {
        NativeImageLoader loader = new NativeImageLoader(height, width, 3);
        for (int i = from; i < from + count; i++) {
            try {
                loader.asMatrix(order.get(i).file().toFile());
            } catch (IOException | RuntimeException | LinkageError decodeError) {
                return "Cannot read image " + order.get(i).file() + ": the decoder cannot read it ("
                        + decodeError.getClass().getSimpleName() + ")";
            }
        }
        return "Cannot read a batch of images starting at " + order.get(from).file() + ": " + e.getMessage();
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.size();
    }

    @Override
    public int inputColumns() {
        return 3 * height * width;
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
            cursor = 0;
            prepareEpoch();
        }
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
