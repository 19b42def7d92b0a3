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
        return switch (spec.type()) {
            case LANDCOVER -> SyntheticLandCover.openSegmentation((DatasetSpec.LandCover) spec);
            case LANDCOVER_PATCHES -> SyntheticLandCover.openPatches((DatasetSpec.LandCoverPatches) spec);
            case FASHION_MNIST_SCENES -> FashionMnistReader.openScenes((DatasetSpec.FashionMnistScenes) spec);
            case FASHION_MNIST -> FashionMnistReader.openClassification((DatasetSpec.FashionMnist) spec);
            case AERIAL -> SegmentationFolders.openAerial((DatasetSpec.Aerial) spec);
            case IMAGE_MASK_FOLDERS -> SegmentationFolders.openImageMaskFolders((DatasetSpec.ImageMaskFolders) spec);
            case IMAGE_FOLDERS -> ImageFolderReader.open((DatasetSpec.ImageFolders) spec);
        };
    }

    /** The built-in default: synthetic land cover with every option at its default. */
    public static Dataset openDefault() {
        return open(new DatasetSpec.LandCover());
    }
}
