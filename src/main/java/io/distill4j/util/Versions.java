package io.distill4j.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of distill4j and of the libraries it runs on, read from the jars' Maven metadata. */
public final class Versions {

    private Versions() {
    }

    /** The version in a dependency's {@code META-INF/maven/.../pom.properties}, or "unknown". */
    public static String of(String groupId, String artifactId) {
        String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lines {@code distill4j --version} prints. */
    public static String[] summary() {
        return new String[]{"distill4j " + distill4j(), "Deeplearning4j " + dl4j(),
                "Java " + System.getProperty("java.version")};
    }

    public static String distill4j() {
        String version = Versions.class.getPackage().getImplementationVersion();
        return version != null ? version : of("io.distill4j", "distill4j");
    }

    public static String dl4j() {
        return of("org.deeplearning4j", "deeplearning4j-nn");
    }

}
