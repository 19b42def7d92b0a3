package io.distill4j.data;

/** Opens the {@link Dataset} a {@link DatasetSpec} names. */
public final class Datasets {

    private Datasets() {
    }

    /**
     * Validates the spec and opens its dataset; materialised types read or generate all their data here.
     *
     * @throws IllegalArgumentException for an invalid spec (naming the field and value)
     * @throws DatasetException         for bad input data (naming the file)
     */
    public static Dataset open(DatasetSpec spec) {
        spec.validate();
        Dataset data = openType(spec);
        return spec.labelled == null ? data : LabelledSubset.of(data, spec.labelled, spec.seedOrDefault());
    }

    private static Dataset openType(DatasetSpec spec) {
        return switch (spec.type) {
            case DatasetSpec.LANDCOVER -> SyntheticLandCover.openSegmentation(spec);
            case DatasetSpec.LANDCOVER_PATCHES -> SyntheticLandCover.openPatches(spec);
            case DatasetSpec.FASHION_MNIST_SCENES -> FashionMnist.openScenes(spec);
            case DatasetSpec.FASHION_MNIST -> FashionMnist.openClassification(spec);
            case DatasetSpec.AERIAL -> SegmentationFolders.openAerial(spec);
            case DatasetSpec.IMAGE_MASK_FOLDERS -> SegmentationFolders.openImageMaskFolders(spec);
            case DatasetSpec.IMAGE_FOLDERS -> ImageFolders.open(spec);
            default -> throw new IllegalArgumentException("data.type: unknown dataset type '" + spec.type + "'");
        };
    }

    /** The built-in default: synthetic land cover with every option at its default. */
    public static Dataset openDefault() {
        return open(new DatasetSpec());
    }
}
