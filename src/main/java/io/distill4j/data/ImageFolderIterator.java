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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches of an image-folder split through DataVec: {@code ImageRecordReader} + {@code ParentPathLabelGenerator}
 * under a {@code RecordReaderDataSetIterator}, re-initialised on each epoch's file order. On top of DataVec it turns
 * OpenCV's BGR into RGB and one-hot labels into sparse {@code [N, 1]} class ids, and names the file when a decode
 * fails.
 */
final class ImageFolderIterator extends EpochIterator {

    private final List<ImageFolderReader.Item> items;
    private final int height;
    private final int width;
    private final int batchSize;
    private RecordReaderDataSetIterator delegate;

    ImageFolderIterator(List<ImageFolderReader.Item> items, List<String> classNames, int height, int width, int batchSize,
                        boolean shuffle, boolean augment, long seed, DataSetPreProcessor preProcessor) {
        super(items.size(), 3, height, width, batchSize, shuffle, augment, seed, classNames, preProcessor);
        this.items = items;
        this.height = height;
        this.width = width;
        this.batchSize = batchSize;
    }

    @Override
    void startEpoch(int[] order) {
        List<URI> uris = new ArrayList<>();
        for (int index : order) {
            uris.add(items.get(index).file().toUri());
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
        reader.setLabels(new ArrayList<>(getLabels()));
        delegate = new RecordReaderDataSetIterator(reader, batchSize, 1, getLabels().size());
    }

    @Override
    DataSet load(int[] order, int from, int count) {
        DataSet raw;
        try {
            raw = delegate.next(count);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: where OpenCV cannot decode a file, M2.1's NativeImageLoader falls back to Leptonica,
            // whose natives the pom leaves out, and fails with UnsatisfiedLinkError instead of an IOException.
            throw new DatasetException(describeFailure(order, from, count, e), e);
        }
        if (raw.getFeatures().size(0) != count) {
            throw new IllegalStateException("DataVec returned " + raw.getFeatures().size(0) + " images, expected "
                    + count);
        }
        // OpenCV decodes to BGR; the rest of distill4j (masks, mosaics, other datasets) is RGB.
        INDArray features = raw.getFeatures().get(NDArrayIndex.all(), NDArrayIndex.indices(2, 1, 0),
                NDArrayIndex.all(), NDArrayIndex.all()).castTo(DataType.FLOAT).dup('c');
        INDArray labels = Nd4j.argMax(raw.getLabels(), 1).reshape(count, 1).castTo(DataType.FLOAT);
        return new DataSet(features, labels);
    }

    /** Finds the file of the batch that fails to decode on its own, so the error can name it. */
    private String describeFailure(int[] order, int from, int count, Throwable e) {
        NativeImageLoader loader = new NativeImageLoader(height, width, 3);
        for (int i = from; i < from + count; i++) {
            Path file = items.get(order[i]).file();
            try {
                loader.asMatrix(file.toFile());
            } catch (IOException | RuntimeException | LinkageError decodeError) {
                return "Cannot read image " + file + ": the decoder cannot read it ("
                        + decodeError.getClass().getSimpleName() + ")";
            }
        }
        return "Cannot read a batch of images starting at " + items.get(order[from]).file() + ": " + e.getMessage();
    }
}
