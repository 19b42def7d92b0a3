package io.distill4j.data;

/**
 * Bad input data: an unreadable or truncated image, a mask that does not fit its image, a colour outside the map,
 * a missing or malformed file. The message always names the file (or folder) at fault.
 */
public class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
