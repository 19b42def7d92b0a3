package io.distill4j.config;

/** A run configuration that cannot be used; the message names the file, key and value. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
