package io.distill4j.util;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeArraysTest {

    private static void assertElementsInOrder(INDArray array) {
        INDArray flat = array.dup('c').reshape(array.length());
        if (array.dataType() == DataType.DOUBLE) {
            DoubleBuffer buffer = NativeArrays.doubles(array);
            for (int i = 0; i < array.length(); i++) {
                assertEquals(flat.getDouble(i), buffer.get(i), 0.0, "element " + i);
            }
        } else {
            FloatBuffer buffer = NativeArrays.floats(array);
            for (int i = 0; i < array.length(); i++) {
                assertEquals(flat.getFloat(i), buffer.get(i), 0.0f, "element " + i);
            }
        }
    }

    @Test
    void buffersStartAtTheArraysFirstElementForContiguousViews() {
        INDArray whole = Nd4j.rand(DataType.FLOAT, 4, 3, 5, 5);
        assertElementsInOrder(whole);
        INDArray images = whole.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertTrue(NativeArrays.isContiguous(images));
        assertElementsInOrder(images);
        assertElementsInOrder(whole.slice(2));
        assertElementsInOrder(Nd4j.rand(DataType.DOUBLE, 2, 32, 1, 1)); // size-1 dimensions' strides
        assertSame(images, NativeArrays.contiguous(images));
    }

    @Test
    void stridedViewsAreCopiedOrRefused() {
        INDArray whole = Nd4j.rand(DataType.FLOAT, 2, 6, 4, 4);
        INDArray channels = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertFalse(NativeArrays.isContiguous(channels));
        assertFalse(NativeArrays.isContiguous(whole.permute(0, 2, 3, 1)));
        INDArray copy = NativeArrays.contiguous(channels);
        assertNotSame(channels, copy);
        assertEquals(channels, copy);
        assertElementsInOrder(copy);
        var error = assertThrows(IllegalArgumentException.class, () -> NativeArrays.floats(channels));
        assertTrue(error.getMessage().contains("contiguous"), error.getMessage());
    }

    @Test
    void channelsLastViewsAreRecognisedAndOthersAreNot() {
        INDArray nhwc = Nd4j.rand(DataType.FLOAT, 2, 5, 7, 3);
        INDArray view = nhwc.permute(0, 3, 1, 2);
        assertTrue(NativeArrays.isChannelsLast(view));
        assertFalse(NativeArrays.isContiguous(view));
        assertFalse(NativeArrays.isChannelsLast(Nd4j.rand(DataType.FLOAT, 2, 3, 5, 7)));
        assertFalse(NativeArrays.isChannelsLast(nhwc.permute(0, 3, 2, 1)));
        assertFalse(NativeArrays.isChannelsLast(view.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2),
                NDArrayIndex.all(), NDArrayIndex.all())));
        assertFalse(NativeArrays.isChannelsLast(Nd4j.rand(DataType.FLOAT, 3, 4)));
        // one channel: both layouts are the same memory
        INDArray single = Nd4j.rand(DataType.FLOAT, 2, 5, 7, 1).permute(0, 3, 1, 2);
        assertTrue(NativeArrays.isChannelsLast(single) && NativeArrays.isContiguous(single));
    }

    /** Detached arrays are freed at once; views, workspace arrays, closed arrays and nulls are left alone. */
    @Test
    void releaseFreesDetachedArraysOnly() {
        INDArray whole = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray view = whole.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        INDArray detached = Nd4j.rand(DataType.FLOAT, 2, 3);
        WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "release-test")) {
            INDArray attached = Nd4j.rand(DataType.FLOAT, 2, 3);
            NativeArrays.release(attached, null);
            assertFalse(attached.wasClosed());
            assertEquals(6, attached.length());
        }
        NativeArrays.release(view, detached, null);
        assertTrue(detached.wasClosed());
        assertFalse(view.wasClosed());
        assertFalse(whole.wasClosed());
        assertEquals(whole.getRow(1), view.getRow(0)); // the view's memory is still there
        NativeArrays.release(detached); // twice: nothing happens
    }
}
