package io.distill4j.eval;

import java.awt.Color;
import java.util.List;

/**
 * How class ids are drawn in masks and mosaics: one colour and one name per class id; the ignore index, and any id
 * without a colour, is drawn {@link #IGNORED} magenta.
 *
 * @param classNames  one name per class (for legends)
 * @param colors      one colour per class id (the dataset's; {@link io.distill4j.data.ColorMap#palette} for classes
 *                    without colours of their own)
 * @param ignoreIndex class id drawn magenta, or null
 */
public record ClassPalette(List<String> classNames, List<Color> colors, Integer ignoreIndex) {

    /**
     * Magenta, the conventional "no data" colour: not grey (the aerial map's own "Unlabeled" class is #9B9B9B, the
     * default palettes have #7F7F7F) nor black (the scenes' background), so ignored pixels stay apart from every class.
     */
    public static final Color IGNORED = new Color(255, 0, 255);

    public ClassPalette {
        classNames = List.copyOf(classNames);
        colors = List.copyOf(colors);
        if (classNames.size() != colors.size()) {
            throw new IllegalArgumentException(classNames.size() + " class names but " + colors.size() + " colours");
        }
    }

    /** The dataset's palette: its class names, its colours and its ignore index. */
    public static ClassPalette of(io.distill4j.data.Dataset data) {
        return new ClassPalette(data.classNames(), data.classColors(),
                data.ignoreIndex().isPresent() ? data.ignoreIndex().getAsInt() : null);
    }

    /** The colour of a class id: {@link #IGNORED} for the ignore index and for ids without a colour. */
    public Color color(int classId) {
        boolean ignored = ignoreIndex != null && ignoreIndex == classId;
        return ignored || classId < 0 || classId >= colors.size() ? IGNORED : colors.get(classId);
    }
}
