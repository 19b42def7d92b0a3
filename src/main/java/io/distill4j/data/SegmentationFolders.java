package io.distill4j.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Segmentation data from folders of images and masks with matching base names: the aerial seed layout
 * ({@code Tile N/images/*.jpg} + {@code Tile N/masks/*.png}) and a plain {@code images/} + {@code masks/} root.
 *
 * <p>As in the seed, each image is cropped from the top-left to a multiple of the patch size P and cut into
 * non-overlapping P×P patches. Splits are drawn per source image, not per patch, so neighbouring patches of one
 * image never end up on both sides of the train/test line.
 */
final class SegmentationFolders {

    /** One image and its mask. */
    record Pair(Path image, Path mask) {
    }

    private SegmentationFolders() {
    }

    /** The existing root folder a folder type's {@code path} names. */
    static Path root(DatasetType type, String path) {
        if (path == null) {
            throw new IllegalArgumentException("data.path: required for type '" + type + "'");
        }
        Path root = Path.of(path);
        if (!Files.isDirectory(root)) {
            throw new DatasetException("Dataset folder " + root + " does not exist or is not a folder");
        }
        return root;
    }

    /** {@code type: aerial}: every sub-folder with {@code images/} and {@code masks/} (or the root itself). */
    static Dataset openAerial(DatasetSpec.Aerial spec) {
        Path root = root(spec.type(), spec.path);
        List<Path> tiles = new ArrayList<>();
        if (hasImagesAndMasks(root)) {
            tiles.add(root);
        }
        for (Path folder : ImageFiles.subfolders(root)) {
            if (hasImagesAndMasks(folder)) {
                tiles.add(folder);
            }
        }
        if (tiles.isEmpty()) {
            throw new DatasetException("Aerial dataset folder " + root + " has no 'Tile N/images' with "
                    + "'Tile N/masks' folders");
        }
        List<Pair> pairs = new ArrayList<>();
        for (Path tile : tiles) {
            pairs.addAll(pairs(tile.resolve("images"), tile.resolve("masks")));
        }
        ColorMap colors = new ColorMap(spec.colorMap != null ? spec.colorMap : ColorMap.AERIAL,
                spec.colorToleranceOrDefault());
        return open(spec, root, pairs, colors, null, "aerial");
    }

    /** {@code type: image-mask-folders}: {@code images/} and {@code masks/} under the root. */
    static Dataset openImageMaskFolders(DatasetSpec.ImageMaskFolders spec) {
        Path root = root(spec.type(), spec.path);
        if (!hasImagesAndMasks(root)) {
            throw new DatasetException("Dataset folder " + root + " needs sub-folders 'images' and 'masks'");
        }
        List<Pair> pairs = pairs(root.resolve("images"), root.resolve("masks"));
        ColorMap colors = spec.colorMap == null ? null
                : new ColorMap(spec.colorMap, spec.colorToleranceOrDefault());
        return open(spec, root, pairs, colors, spec.classNames, "image-mask-folders");
    }

    private static boolean hasImagesAndMasks(Path folder) {
        return Files.isDirectory(folder.resolve("images")) && Files.isDirectory(folder.resolve("masks"));
    }

    /**
     * Images and masks matched by base name.
     *
     * @throws DatasetException for an empty images folder, an image without a mask or a mask without an image
     */
    static List<Pair> pairs(Path images, Path masks) {
        List<Path> imageFiles = ImageFiles.list(images);
        if (imageFiles.isEmpty()) {
            throw new DatasetException("Image folder " + images + " holds no images (" + String.join(", ",
                    new java.util.TreeSet<>(ImageFiles.EXTENSIONS)) + ")");
        }
        Map<String, Path> maskByBase = new TreeMap<>();
        for (Path mask : ImageFiles.list(masks)) {
            Path previous = maskByBase.put(ImageFiles.baseName(mask), mask);
            if (previous != null) {
                throw new DatasetException("Masks " + previous + " and " + mask + " share a base name; keep one");
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (Path image : imageFiles) {
            Path mask = maskByBase.remove(ImageFiles.baseName(image));
            if (mask == null) {
                throw new DatasetException("Image " + image + " has no mask (looked for "
                        + masks.resolve(ImageFiles.baseName(image)) + ".png or another image extension)");
            }
            pairs.add(new Pair(image, mask));
        }
        if (!maskByBase.isEmpty()) {
            Path orphan = maskByBase.values().iterator().next();
            throw new DatasetException("Mask " + orphan + " has no image in " + images
                    + (maskByBase.size() > 1 ? " (and " + (maskByBase.size() - 1) + " more masks without images)" : ""));
        }
        return pairs;
    }

    /**
     * Reads every pair, cuts patches and splits by source image.
     *
     * @param colors     RGB masks through this map, or {@code null} for masks whose values are class ids
     * @param classNames names of id-valued classes, or {@code null} to number the classes found
     */
    private static Dataset open(DatasetSpec.MaskFolders spec, Path root, List<Pair> pairs, ColorMap colors,
                                List<String> classNames, String what) {
        int patch = spec.patchSizeOrDefault();
        List<Samples> perImage = new ArrayList<>();
        int maxId = 0;
        for (Pair pair : pairs) {
            Samples patches = patches(pair, patch, colors);
            for (byte[] mask : patches.labels()) {
                for (byte id : mask) {
                    maxId = Math.max(maxId, id & 0xFF);
                }
            }
            perImage.add(patches);
        }
        List<String> names;
        if (colors != null) {
            names = colors.names();
        } else if (classNames != null) {
            names = classNames;
            if (maxId >= names.size()) {
                throw badClassId(pairs, perImage, names.size());
            }
        } else {
            names = new ArrayList<>();
            for (int i = 0; i <= maxId; i++) {
                names.add("class " + i);
            }
        }
        Map<Split, List<Integer>> parts = Splits.partition(pairs.size(), spec.validationFractionOrDefault(),
                spec.testFractionOrDefault(), spec.seedOrDefault(), what + " " + root + " (images)");
        Map<Split, Samples> splits = new EnumMap<>(Split.class);
        int total = 0;
        for (Split split : Split.values()) {
            Samples samples = new Samples(3, patch, patch, true);
            for (int image : parts.get(split)) {
                Samples patches = perImage.get(image);
                for (int i = 0; i < patches.size(); i++) {
                    samples.add(patches.image(i), patches.label(i));
                }
            }
            splits.put(split, samples);
            total += samples.size();
        }
        return new InMemoryDataset(what + " " + root + " (" + pairs.size() + " images, " + total + " patches of "
                + patch + "x" + patch + ")", Task.SEGMENTATION, spec, names,
                colors != null ? colors.colors() : ColorMap.palette(names.size()), splits);
    }

    private static DatasetException badClassId(List<Pair> pairs, List<Samples> perImage, int numClasses) {
        for (int p = 0; p < pairs.size(); p++) {
            Map<Integer, Integer> counts = new TreeMap<>();
            for (byte[] mask : perImage.get(p).labels()) {
                for (byte id : mask) {
                    if ((id & 0xFF) >= numClasses) {
                        counts.merge(id & 0xFF, 1, Integer::sum);
                    }
                }
            }
            if (!counts.isEmpty()) {
                Map.Entry<Integer, Integer> first = counts.entrySet().iterator().next();
                return new DatasetException("Mask " + pairs.get(p).mask() + ": value " + first.getKey() + " ("
                        + first.getValue() + " pixels) is not a class id below " + numClasses
                        + " (data.classNames lists " + numClasses + " classes)");
            }
        }
        throw new IllegalStateException("no mask holds an id >= " + numClasses);
    }

    /**
     * The P×P patches of one image and its mask (cropped from the top-left to a multiple of P).
     *
     * @throws DatasetException naming the file for unreadable files, size mismatch, or an image smaller than P
     */
    static Samples patches(Pair pair, int patch, ColorMap colors) {
        BufferedImage image = ImageFiles.read(pair.image());
        BufferedImage mask = ImageFiles.read(pair.mask());
        int width = image.getWidth();
        int height = image.getHeight();
        if (mask.getWidth() != width || mask.getHeight() != height) {
            throw new DatasetException("Mask " + pair.mask() + " is " + mask.getWidth() + "x" + mask.getHeight()
                    + " but its image " + pair.image() + " is " + width + "x" + height);
        }
        if (width < patch || height < patch) {
            throw new DatasetException("Image " + pair.image() + " (" + width + "x" + height
                    + ") is smaller than the patch size " + patch + " (data.patchSize)");
        }
        int[] pixels = ImageFiles.rgb(image);
        byte[] ids = colors != null ? colors.classesOf(ImageFiles.rgb(mask), pair.mask()) : classIds(mask, pair.mask());

        Samples patches = new Samples(3, patch, patch, true);
        int plane = patch * patch;
        for (int top = 0; top + patch <= height; top += patch) {
            for (int left = 0; left + patch <= width; left += patch) {
                byte[] patchImage = new byte[3 * plane];
                byte[] patchMask = new byte[plane];
                for (int y = 0; y < patch; y++) {
                    for (int x = 0; x < patch; x++) {
                        int source = (top + y) * width + left + x;
                        int target = y * patch + x;
                        int rgb = pixels[source];
                        patchImage[target] = (byte) (rgb >> 16);
                        patchImage[plane + target] = (byte) (rgb >> 8);
                        patchImage[2 * plane + target] = (byte) rgb;
                        patchMask[target] = ids[source];
                    }
                }
                patches.add(patchImage, patchMask);
            }
        }
        return patches;
    }

    /**
     * Class ids from a palette or grey mask (the index or the grey value is the id); an RGB mask qualifies only when
     * it is grey throughout.
     */
    static byte[] classIds(BufferedImage mask, Path file) {
        int width = mask.getWidth();
        int height = mask.getHeight();
        Raster raster = mask.getRaster();
        byte[] ids = new byte[width * height];
        boolean indexed = mask.getColorModel() instanceof IndexColorModel;
        if (indexed || raster.getNumBands() <= 2) { // palette, grey, or grey + alpha
            int[] values = raster.getSamples(0, 0, width, height, 0, (int[]) null);
            Map<Integer, Integer> tooLarge = new HashMap<>();
            for (int i = 0; i < values.length; i++) {
                if (values[i] > 255) {
                    tooLarge.merge(values[i], 1, Integer::sum);
                }
                ids[i] = (byte) values[i];
            }
            if (!tooLarge.isEmpty()) {
                Map.Entry<Integer, Integer> first = tooLarge.entrySet().iterator().next();
                throw new DatasetException("Mask " + file + ": value " + first.getKey() + " (" + first.getValue()
                        + " pixels) is not a class id (at most 255)");
            }
            return ids;
        }
        int[] rgb = ImageFiles.rgb(mask);
        for (int i = 0; i < rgb.length; i++) {
            int r = (rgb[i] >> 16) & 0xFF;
            int g = (rgb[i] >> 8) & 0xFF;
            int b = rgb[i] & 0xFF;
            if (r != g || g != b) {
                throw new DatasetException("Mask " + file + " is an RGB image with colour " + ColorMap.hex(rgb[i])
                        + " at pixel (" + (i % width) + ", " + (i / width) + "); give data.colorMap for RGB masks, "
                        + "or save class ids as a palette or grey PNG");
            }
            ids[i] = (byte) r;
        }
        return ids;
    }
}
