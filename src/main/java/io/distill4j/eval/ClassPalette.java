package io.distill4j.eval;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * How class ids are drawn in masks and mosaics: one colour and one name per class id; the ignore index, and any id
 * without a colour, is drawn {@link #IGNORED} magenta.
 *
 * @param classNames  one name per class (for legends)
 * @param colors      one colour per class id
 * @param ignoreIndex class id drawn magenta, or null
 */
public record ClassPalette(List<String> classNames, List<Color> colors, Integer ignoreIndex) {

    /**
     * Magenta, the conventional "no data" colour: not grey (the aerial map's own "Unlabeled" class is #9B9B9B, the
     * default palettes have #7F7F7F) nor black (the scenes' background), so ignored pixels stay apart from every class.
     */
    public static final Color IGNORED = new Color(255, 0, 255);

    /** Distinct colours (Tableau 10, then a few more) for the first classes; further classes reuse them. */
    private static final List<Color> DISTINCT = List.of(
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf), new Color(0x393b79),
            new Color(0xf7e08e), new Color(0x7fffd4));

    public ClassPalette {
        classNames = List.copyOf(classNames);
        colors = List.copyOf(colors);
        if (classNames.size() != colors.size()) {
            throw new IllegalArgumentException(classNames.size() + " class names but " + colors.size() + " colours");
        }
    }

    /** The default palette for these classes. */
    public static ClassPalette of(List<String> classNames, Integer ignoreIndex) {
        return new ClassPalette(classNames, colors(classNames.size()), ignoreIndex);
    }

    /** {@code n} default class colours. */
    public static List<Color> colors(int n) {
        List<Color> colors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            colors.add(DISTINCT.get(i % DISTINCT.size()));
        }
        return colors;
    }

    /** The colour of a class id: {@link #IGNORED} for the ignore index and for ids without a colour. */
    public Color color(int classId) {
        boolean ignored = ignoreIndex != null && ignoreIndex == classId;
        return ignored || classId < 0 || classId >= colors.size() ? IGNORED : colors.get(classId);
    }
}
