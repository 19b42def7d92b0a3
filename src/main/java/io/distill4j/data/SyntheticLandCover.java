package io.distill4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The built-in land-cover data that needs no files: tiles with land, vegetation, water bodies and rivers, thin roads,
 * small buildings with shadows and occasional no-data borders, in the aerial set's six classes and mask colours.
 *
 * <p>Made deliberately hard so a tiny student does not match the teacher trivially: every class's colour varies from
 * tile to tile and overlaps another's (dry grass looks like vegetation, murky water like dark forest, dirt roads like
 * soil), so texture and context must decide; roads are one to three pixels wide, buildings a few pixels, and the whole
 * tile is colour-cast, sometimes blurred and always noisy.
 *
 * <p>Tile {@code i} depends only on (seed, i, size), so a set of any length is reproducible and a prefix of a longer
 * one.
 */
public final class SyntheticLandCover {

    public static final int BUILDING = 0;
    public static final int LAND = 1;
    public static final int ROAD = 2;
    public static final int VEGETATION = 3;
    public static final int WATER = 4;
    public static final int UNLABELED = 5;

    /** Classes of {@code landcover-patches}: the first five (no-data borders are not a patch class). */
    static final int PATCH_CLASSES = 5;

    /** A rendered tile: RGB planes ({@code 3×H×W}) and one class id per pixel. */
    record Tile(byte[] image, byte[] mask) {
    }

    private SyntheticLandCover() {
    }

    /** Opens {@code type: landcover}: segmentation tiles, 64×64 and 2000 of them by default. */
    static Dataset openSegmentation(DatasetSpec.LandCover spec) {
        int height = spec.heightOrDefault();
        int width = spec.widthOrDefault();
        int count = DatasetSpec.orDefault(spec.samples, 2000);
        long seed = spec.seedOrDefault();
        Samples all = new Samples(3, height, width, true);
        for (int i = 0; i < count; i++) {
            Tile tile = tile(seed, i, height, width, -1);
            all.add(tile.image(), tile.mask());
        }
        ColorMap colors = new ColorMap(ColorMap.AERIAL, 0);
        return new InMemoryDataset("landcover " + height + "x" + width + " (" + count + " tiles, seed " + seed + ")",
                Task.SEGMENTATION, spec, colors.names(), colors.colors(), split(all, spec, "landcover"));
    }

    /**
     * Opens {@code type: landcover-patches}: tiles generated to favour each of the five classes in turn and labelled
     * by the class that actually covers most pixels.
     */
    static Dataset openPatches(DatasetSpec.LandCoverPatches spec) {
        int height = spec.heightOrDefault();
        int width = spec.widthOrDefault();
        int count = DatasetSpec.orDefault(spec.samples, 2000);
        long seed = spec.seedOrDefault();
        Samples all = new Samples(3, height, width, false);
        for (int i = 0; i < count; i++) {
            Tile tile = tile(seed, i, height, width, i % PATCH_CLASSES);
            all.add(tile.image(), new byte[]{(byte) majorityClass(tile.mask())});
        }
        ColorMap colors = new ColorMap(ColorMap.AERIAL.subList(0, PATCH_CLASSES), 0);
        return new InMemoryDataset("landcover-patches " + height + "x" + width + " (" + count + " patches, seed "
                + seed + ")", Task.CLASSIFICATION, spec, colors.names(), colors.colors(),
                split(all, spec, "landcover-patches"));
    }

    private static Map<Split, Samples> split(Samples all, DatasetSpec.Generated spec, String what) {
        Map<Split, List<Integer>> parts = Splits.partition(all.size(), spec.validationFractionOrDefault(),
                spec.testFractionOrDefault(), spec.seedOrDefault(), what);
        Map<Split, Samples> splits = new EnumMap<>(Split.class);
        parts.forEach((split, indices) -> splits.put(split, all.subset(indices)));
        return splits;
    }

    /** The class with most pixels (ties to the lower id). */
    static int majorityClass(byte[] mask) {
        int[] counts = new int[256];
        for (byte id : mask) {
            counts[id & 0xFF]++;
        }
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Generates tile {@code index}.
     *
     * @param emphasis a class to make dominant (for patches), or -1 for the natural mix
     */
    static Tile tile(long seed, int index, int height, int width, int emphasis) {
        Random random = new Random(seed * 0x5DEECE66DL + index * 0x9E3779B9L + height * 31L + width);
        int n = height * width;
        byte[] mask = new byte[n];
        Arrays.fill(mask, (byte) LAND);
        int scale = Math.max(height, width);

        // Vegetation: thresholded smooth noise, so patches have irregular natural outlines.
        float[] vegetationField = valueNoise(random, height, width, scale / (3 + random.nextInt(4)), 3);
        double vegetationCover = switch (emphasis) {
            case VEGETATION -> 0.62 + 0.25 * random.nextDouble();
            case -1 -> 0.1 + 0.4 * random.nextDouble();
            default -> 0.05 + 0.15 * random.nextDouble();
        };
        paintAbove(mask, vegetationField, quantile(vegetationField, 1 - vegetationCover), VEGETATION);

        // Water: a lake (thresholded coarse noise) or a meandering river.
        boolean water = emphasis == WATER || (emphasis == -1 || emphasis == VEGETATION || emphasis == LAND)
                && random.nextDouble() < (emphasis == -1 ? 0.5 : 0.2);
        if (water) {
            if (emphasis == WATER || random.nextBoolean()) {
                float[] lakeField = valueNoise(random, height, width, scale / (1.5 + random.nextDouble() * 1.5), 2);
                double cover = emphasis == WATER ? 0.6 + 0.3 * random.nextDouble() : 0.05 + 0.2 * random.nextDouble();
                paintAbove(mask, lakeField, quantile(lakeField, 1 - cover), WATER);
            } else {
                drawCurve(mask, height, width, random, 3 + random.nextInt(Math.max(1, scale / 10)), WATER);
            }
        }

        // Roads: thin lines crossing the tile, over land, vegetation and water (bridges).
        int roads = switch (emphasis) {
            case ROAD -> 4 + random.nextInt(3);
            case -1 -> random.nextInt(4);
            default -> random.nextInt(2);
        };
        for (int i = 0; i < roads; i++) {
            int roadWidth = emphasis == ROAD ? Math.max(3, scale / 8 + random.nextInt(Math.max(1, scale / 8)))
                    : 1 + random.nextInt(3);
            drawCurve(mask, height, width, random, roadWidth, ROAD);
        }

        // Buildings: small rectangles on free land, each with a shadow rendered below-right; scattered, or packed
        // in blocks one pixel apart where the tile is to be urban.
        List<int[]> buildings = new ArrayList<>();
        if (emphasis == BUILDING) {
            int cell = 5 + random.nextInt(4);
            for (int top = -random.nextInt(cell); top < height; top += cell) {
                for (int left = -random.nextInt(cell); left < width; left += cell) {
                    // Blocks are cut by the tile's edge like real ones.
                    int y0 = Math.max(0, top);
                    int x0 = Math.max(0, left);
                    int bh = Math.min(height, top + cell - 1 - (random.nextInt(4) == 0 ? 1 : 0)) - y0;
                    int bw = Math.min(width, left + cell - 1 - (random.nextInt(4) == 0 ? 1 : 0)) - x0;
                    if (bh > 0 && bw > 0 && random.nextDouble() < 0.92
                            && isFree(mask, width, y0, x0, bh, bw, height)) {
                        fillRect(mask, width, y0, x0, bh, bw, BUILDING);
                        buildings.add(new int[]{y0, x0, bh, bw});
                    }
                }
            }
        } else {
            int attempts = random.nextInt(Math.max(1, n / (emphasis == -1 ? 120 : 600)));
            int maxSide = Math.max(3, scale / 10);
            for (int i = 0; i < attempts; i++) {
                int bh = 2 + random.nextInt(maxSide - 1);
                int bw = 2 + random.nextInt(maxSide - 1);
                int y0 = random.nextInt(Math.max(1, height - bh));
                int x0 = random.nextInt(Math.max(1, width - bw));
                if (isFree(mask, width, y0 - 1, x0 - 1, bh + 2, bw + 2, height)) {
                    fillRect(mask, width, y0, x0, bh, bw, BUILDING);
                    buildings.add(new int[]{y0, x0, bh, bw});
                }
            }
        }

        // Unlabeled border strip, as at the edges of real orthophoto tiles: either no-data (black or white) or
        // imagery that simply was not annotated, which only its position can give away.
        byte[] appearance = mask;
        if (emphasis == -1 && random.nextDouble() < 0.15) {
            boolean noData = random.nextBoolean();
            appearance = noData ? mask : mask.clone();
            int depth = 2 + random.nextInt(Math.max(1, scale / 6));
            int side = random.nextInt(4);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    boolean inStrip = switch (side) {
                        case 0 -> y < depth;
                        case 1 -> y >= height - depth;
                        case 2 -> x < depth;
                        default -> x >= width - depth;
                    };
                    if (inStrip) {
                        mask[y * width + x] = UNLABELED;
                    }
                }
            }
        }

        return new Tile(render(appearance, buildings, height, width, random), mask);
    }

    /**
     * Paints the image from what each pixel shows (the mask, except where an unannotated strip shows the scene
     * beneath) with per-tile colours that overlap between classes, texture, blur and noise.
     */
    private static byte[] render(byte[] mask, List<int[]> buildings, int height, int width, Random random) {
        int n = height * width;
        float[][] rgb = new float[3][n];
        int scale = Math.max(height, width);

        // Per-tile class colours: each drawn from a range that reaches into another class's range.
        float[] land = pick(random, new float[][]{{150, 125, 95}, {175, 160, 120}, {120, 130, 85}, {140, 115, 100}});
        float[] vegetation = pick(random, new float[][]{{50, 85, 45}, {75, 110, 55}, {105, 135, 70}, {60, 75, 60}});
        float[] water = pick(random, new float[][]{{35, 60, 85}, {50, 75, 75}, {60, 78, 62}, {70, 90, 110}});
        float[] road = pick(random, new float[][]{{128, 128, 128}, {150, 148, 140}, {105, 105, 110}, {150, 130, 105}});
        float[] noData = random.nextBoolean() ? new float[]{8, 8, 8} : new float[]{225, 225, 228};
        float[][] roofs = {{150, 70, 60}, {130, 130, 135}, {200, 200, 190}, {85, 85, 95}, {160, 120, 90}};

        float[] fieldTexture = valueNoise(random, height, width, scale / 4.0, 2);
        float[] fineTexture = valueNoise(random, height, width, 2.0, 1);
        float[] canopyTexture = valueNoise(random, height, width, 1.5, 2);
        for (int i = 0; i < n; i++) {
            float[] base;
            float texture;
            switch (mask[i]) {
                case LAND -> {
                    base = land;
                    texture = 30 * (fieldTexture[i] - 0.5f) + 12 * (fineTexture[i] - 0.5f);
                }
                case VEGETATION -> {
                    base = vegetation;
                    texture = 50 * (canopyTexture[i] - 0.5f) + 10 * (fieldTexture[i] - 0.5f);
                }
                case WATER -> {
                    base = water;
                    texture = 6 * (fieldTexture[i] - 0.5f);
                }
                case ROAD -> {
                    base = road;
                    texture = 10 * (fineTexture[i] - 0.5f);
                }
                case UNLABELED -> {
                    base = noData;
                    texture = 0;
                }
                default -> { // buildings are painted below, roof by roof
                    base = land;
                    texture = 0;
                }
            }
            for (int c = 0; c < 3; c++) {
                rgb[c][i] = base[c] + texture;
            }
        }
        for (int[] b : buildings) {
            float[] roof = roofs[random.nextInt(roofs.length)];
            float shade = 0.85f + 0.3f * random.nextFloat();
            for (int y = b[0]; y < b[0] + b[2]; y++) {
                for (int x = b[1]; x < b[1] + b[3]; x++) {
                    for (int c = 0; c < 3; c++) {
                        rgb[c][y * width + x] = roof[c] * shade;
                    }
                }
            }
            // The shadow falls on whatever lies below-right and keeps that pixel's class.
            for (int y = b[0] + 1; y <= b[0] + b[2] && y < height; y++) {
                for (int x = b[1] + 1; x <= b[1] + b[3] && x < width; x++) {
                    if (mask[y * width + x] != BUILDING) {
                        for (int c = 0; c < 3; c++) {
                            rgb[c][y * width + x] *= 0.6f;
                        }
                    }
                }
            }
        }

        if (random.nextDouble() < 0.5) {
            for (int c = 0; c < 3; c++) {
                rgb[c] = boxBlur3(rgb[c], height, width);
            }
        }
        float brightness = 0.8f + 0.4f * random.nextFloat();
        float[] cast = {random.nextFloat() * 24 - 12, random.nextFloat() * 24 - 12, random.nextFloat() * 24 - 12};
        float sigma = 4 + 6 * random.nextFloat();
        byte[] image = new byte[3 * n];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                float v = rgb[c][i] * brightness + cast[c] + (float) random.nextGaussian() * sigma;
                image[c * n + i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return image;
    }

    private static float[] pick(Random random, float[][] choices) {
        float[] base = choices[random.nextInt(choices.length)];
        float[] jittered = new float[3];
        for (int c = 0; c < 3; c++) {
            jittered[c] = base[c] + random.nextFloat() * 20 - 10;
        }
        return jittered;
    }

    /** Smooth value noise in [0, 1]: random values on a grid of the given cell size, bicubically blended, octaves. */
    static float[] valueNoise(Random random, int height, int width, double cell, int octaves) {
        float[] out = new float[height * width];
        float amplitude = 1;
        float total = 0;
        for (int o = 0; o < octaves; o++) {
            double c = Math.max(1.0, cell / (1 << o));
            int gh = (int) Math.ceil(height / c) + 2;
            int gw = (int) Math.ceil(width / c) + 2;
            float[] grid = new float[gh * gw];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = random.nextFloat();
            }
            for (int y = 0; y < height; y++) {
                double gy = y / c;
                int y0 = (int) gy;
                float ty = smooth((float) (gy - y0));
                for (int x = 0; x < width; x++) {
                    double gx = x / c;
                    int x0 = (int) gx;
                    float tx = smooth((float) (gx - x0));
                    float top = grid[y0 * gw + x0] * (1 - tx) + grid[y0 * gw + x0 + 1] * tx;
                    float bottom = grid[(y0 + 1) * gw + x0] * (1 - tx) + grid[(y0 + 1) * gw + x0 + 1] * tx;
                    out[y * width + x] += amplitude * (top * (1 - ty) + bottom * ty);
                }
            }
            total += amplitude;
            amplitude /= 2;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= total;
        }
        return out;
    }

    private static float smooth(float t) {
        return t * t * (3 - 2 * t);
    }

    private static float quantile(float[] values, double q) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
        return sorted[i];
    }

    private static void paintAbove(byte[] mask, float[] field, float threshold, int label) {
        for (int i = 0; i < mask.length; i++) {
            if (field[i] > threshold) {
                mask[i] = (byte) label;
            }
        }
    }

    /** A band of the given thickness along a gently curving line across the tile, horizontal or vertical. */
    private static void drawCurve(byte[] mask, int height, int width, Random random, int thickness, int label) {
        boolean horizontal = random.nextBoolean();
        int length = horizontal ? width : height;
        int across = horizontal ? height : width;
        double start = random.nextDouble() * across;
        double slope = (random.nextDouble() - 0.5) * 0.8;
        double amplitude = random.nextDouble() * across / 8;
        double frequency = (0.5 + random.nextDouble() * 1.5) * 2 * Math.PI / length;
        double phase = random.nextDouble() * 2 * Math.PI;
        double half = thickness / 2.0;
        for (int t = 0; t < length; t++) {
            double centre = start + slope * t + amplitude * Math.sin(frequency * t + phase);
            for (int a = (int) Math.floor(centre - half + 0.5); a < centre + half; a++) {
                if (a < 0 || a >= across) {
                    continue;
                }
                int y = horizontal ? a : t;
                int x = horizontal ? t : a;
                mask[y * width + x] = (byte) label;
            }
        }
    }

    private static boolean isFree(byte[] mask, int width, int y0, int x0, int h, int w, int height) {
        for (int y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
            for (int x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
                int id = mask[y * width + x];
                if (id == WATER || id == ROAD || id == BUILDING) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void fillRect(byte[] mask, int width, int y0, int x0, int h, int w, int label) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                mask[y * width + x] = (byte) label;
            }
        }
    }

    private static float[] boxBlur3(float[] plane, int height, int width) {
        float[] out = new float[plane.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float sum = 0;
                int count = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
                            sum += plane[yy * width + xx];
                            count++;
                        }
                    }
                }
                out[y * width + x] = sum / count;
            }
        }
        return out;
    }
}
