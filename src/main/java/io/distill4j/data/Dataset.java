package io.distill4j.data;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.awt.Color;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A source of training data for the teacher and the student: iterators per {@link Split} plus what evaluation and
 * plots need to know about the classes, so nothing downstream hard-codes them.
 *
 * <p>Tensor conventions (the distillation loss depends on them): features are float32 NCHW {@code [N, C, H, W]}
 * scaled to [0, 1] by {@link #normalizer()}, which the iterators already apply as their pre-processor; labels are
 * sparse class ids stored as floats, {@code [N, 1, H, W]} for segmentation and {@code [N, 1]} for classification.
 * The {@link #ignoreIndex()} class stays a class id in the labels; the loss skips it.
 */
public interface Dataset {

    /** A short human-readable name, e.g. {@code landcover 64x64 (2000 tiles)}. */
    String name();

    Task task();

    /** The spec this dataset was opened from. */
    DatasetSpec spec();

    int channels();

    int height();

    int width();

    int numClasses();

    /** Class names in class-id order. */
    List<String> classNames();

    /** One colour per class in class-id order: mask colours for segmentation, a palette for classification. */
    List<Color> classColors();

    /** The class id the loss and the metrics skip, if any. */
    OptionalInt ignoreIndex();

    /**
     * A fresh iterator over one split. With {@code shuffle} the order is a deterministic function of the seed and
     * the epoch (each {@code reset()} after the first batch starts the next epoch); augmentation, when the spec
     * enables it, applies to {@link Split#TRAIN} only and transforms image and mask identically.
     */
    DataSetIterator iterator(Split split, int batchSize, boolean shuffle);

    /** Number of samples (images or patches) in a split. */
    int size(Split split);

    /**
     * The examples a student distils on: the training split, plus, for label-scarce data
     * ({@link LabelledSubset}), the training examples whose labels were withheld, their class ids set to
     * {@code DistillationLabels.UNLABELLED}.
     */
    default DataSetIterator distillationIterator(int batchSize, boolean shuffle) {
        return iterator(Split.TRAIN, batchSize, shuffle);
    }

    /** Number of examples {@link #distillationIterator} yields per epoch. */
    default int distillationSize() {
        return size(Split.TRAIN);
    }

    /**
     * Where a sample of a split came from, for captions and reports: its file (below the data root), and for patches
     * cut from an image which patch, e.g. {@code Tile 1/image_part_001.jpg (patch 3/20)}; empty for generated
     * data, whose samples have only their index.
     *
     * @param index the sample's position in the split, as an unshuffled {@link #iterator} yields it
     */
    default Optional<String> sampleName(Split split, int index) {
        return Optional.empty();
    }

    /** A stable SHA-256 (hex) of the data content and the parameters that shape it, for provenance. */
    String fingerprint();

    /** The pixel scaling the iterators apply; save it next to the model with {@code ModelSerializer.addNormalizerToModel}. */
    DataNormalization normalizer();
}
