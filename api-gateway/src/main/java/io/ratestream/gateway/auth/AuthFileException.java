package io.ratestream.gateway.auth;

/** An auth file that cannot be read or breaks a rule; the message names the file and the problem. */
public final class AuthFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuthFileException(String message) {
        super(message);
    }

    public AuthFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
