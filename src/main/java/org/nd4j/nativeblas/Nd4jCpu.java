package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility bridge for a DL4J 1.0.0-M2.1 bug, under the binary name that DL4J still looks up.
 *
 * <p>{@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} asks, by reflection, for
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}. In M2.1 that class moved to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and the method became {@code isUseONEDNN()},
 * so the lookup fails and every oneDNN layer helper silently switches itself off. This class answers the old
 * question with the new API. It goes through reflection so that the project also compiles against the CUDA backend,
 * where DL4J never asks.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The old {@code Nd4jCpu.Environment}, delegating to the moved native environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private final Object delegate;
        private final Method isUseOneDnn;

        private Environment() {
            Object target = null;
            Method method = null;
            try {
                Class<?> moved = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                target = moved.getMethod("getInstance").invoke(null);
                method = moved.getMethod("isUseONEDNN");
            } catch (ReflectiveOperationException | LinkageError e) {
                // Not the CPU backend: report oneDNN as unavailable.
            }
            this.delegate = target;
            this.isUseOneDnn = method;
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether the native library was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            if (delegate == null) {
                return false;
            }
            try {
                return (Boolean) isUseOneDnn.invoke(delegate);
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }
}
