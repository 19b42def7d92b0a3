package io.distill4j.data;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The dataset types a {@code data:} section can name, each with its {@link DatasetSpec} class and its {@link Task}.
 * The one list of types: YAML binding, errors and documentation all read it.
 */
public enum DatasetType {
    /** Built-in synthetic land-cover segmentation tiles; the default that needs no files. */
    LANDCOVER("landcover", Task.SEGMENTATION, DatasetSpec.LandCover.class),
    /** Fashion-MNIST items pasted on canvases, with masks derived from the items' pixels. */
    FASHION_MNIST_SCENES("fashion-mnist-scenes", Task.SEGMENTATION, DatasetSpec.FashionMnistScenes.class),
    /** The aerial-imagery seed layout: {@code Tile N/images/*.jpg} and {@code Tile N/masks/*.png}. */
    AERIAL("aerial", Task.SEGMENTATION, DatasetSpec.Aerial.class),
    /** A root with {@code images/} and {@code masks/} of matching base names. */
    IMAGE_MASK_FOLDERS("image-mask-folders", Task.SEGMENTATION, DatasetSpec.ImageMaskFolders.class),
    /** Classification from one folder per class (the Intel image classification layout, or any such root). */
    IMAGE_FOLDERS("image-folders", Task.CLASSIFICATION, DatasetSpec.ImageFolders.class),
    /** Fashion-MNIST classification from IDX files. */
    FASHION_MNIST("fashion-mnist", Task.CLASSIFICATION, DatasetSpec.FashionMnist.class),
    /** Synthetic land-cover patches labelled by their majority class. */
    LANDCOVER_PATCHES("landcover-patches", Task.CLASSIFICATION, DatasetSpec.LandCoverPatches.class);

    private final String id;
    private final Task task;
    private final Class<? extends DatasetSpec> specClass;

    DatasetType(String id, Task task, Class<? extends DatasetSpec> specClass) {
        this.id = id;
        this.task = task;
        this.specClass = specClass;
    }

    /** What the type's datasets label, known before any data is read. */
    public Task task() {
        return task;
    }

    /** The class that holds this type's options. */
    public Class<? extends DatasetSpec> specClass() {
        return specClass;
    }

    /** The type as it is written under {@code data.type}. */
    @Override
    public String toString() {
        return id;
    }

    /** The type written as {@code id} ({@code landcover}, {@code image-folders}, ...), if there is one. */
    public static Optional<DatasetType> byId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }

    /** The type whose options {@code specClass} holds. */
    public static DatasetType of(Class<? extends DatasetSpec> specClass) {
        return Arrays.stream(values()).filter(t -> t.specClass == specClass).findFirst()
                .orElseThrow(() -> new IllegalStateException(specClass + " is not a dataset type's spec"));
    }

    /** Every type as written in a config: "landcover, fashion-mnist-scenes, ...". */
    public static String known() {
        return Arrays.stream(values()).map(DatasetType::toString).collect(Collectors.joining(", "));
    }
}
