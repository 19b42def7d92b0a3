package io.distill4j.deploy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Run in a forked JVM by {@link OrtLaunchTest}: starts ONNX Runtime and runs the model named by args[0] once. */
public final class OrtLaunchProbe {

    private OrtLaunchProbe() {
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(Path.of(args[0])), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[3 * 16 * 16]), new long[]{1, 3, 16, 16});
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
            System.out.println("ok " + java.util.Arrays.toString(((OnnxTensor) r.get(0)).getInfo().getShape()));
        }
    }
}
