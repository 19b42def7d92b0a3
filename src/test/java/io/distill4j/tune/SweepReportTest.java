package io.distill4j.tune;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The sweep plot's temperature axis is labelled at the temperatures tried, not only at decades. */
class SweepReportTest {

    private static CandidateRecord done(int index, double alpha, double t, double score) {
        return new CandidateRecord(index, alpha, t, 1e-3, 2, score, 2, 1.0, "done", null);
    }

    @Test
    void theTemperatureAxisIsLabelledAtTheTestedTemperatures() throws Exception {
        List<CandidateRecord> candidates = List.of(done(0, 0.73, 7.743, 0.19), done(1, 0.31, 2.293, 0.18),
                done(2, 0.37, 2.284, 0.18), done(3, 0.92, 14.973, 0.2));
        XYChart chart = SweepReport.chart(candidates, done(-1, 1.0, 1.0, 0.2), "mean IoU");
        // XChart's logarithmic axis would label 1 and 10 only; 2.284 is too close to 2.293 to get its own label
        assertEquals(List.of("1", "2.28", "7.74", "14.97"), texts(chart));
        assertFalse(chart.getStyler().isYAxisLogarithmic());
        assertFalse(chart.getStyler().isYAxisTicksVisible(), "XChart's own labels of log10 T are hidden");
        BitmapEncoder.getBufferedImage(chart); // renders
    }

    private static List<String> texts(XYChart chart) throws ReflectiveOperationException {
        Field annotations = Chart.class.getDeclaredField("annotations");
        annotations.setAccessible(true);
        Field text = AnnotationText.class.getDeclaredField("text");
        text.setAccessible(true);
        List<String> texts = new ArrayList<>();
        for (Object a : (List<?>) annotations.get(chart)) {
            if (a instanceof AnnotationText t) {
                texts.add((String) text.get(t));
            }
        }
        return texts;
    }
}
