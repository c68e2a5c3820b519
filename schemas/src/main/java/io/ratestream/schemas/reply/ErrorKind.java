package io.ratestream.schemas.reply;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What kind of "no" an error is, carried in every error {@link Reply} and in the gateway's own refusals,
 * so that nobody decides anything by matching message text. The gateway maps each kind, in one place, to
 * an HTTP status and a JSON-RPC 2.0 error code (docs/limits.md lists them); the message stays a sentence
 * for people. Written on the wire in lower case ({@code "insufficient_funds"}).
 */
public enum ErrorKind {
    /** The request is malformed or breaks a rule (a field missing, out of range, of the wrong type). */
    BAD_REQUEST,
    /** No such method. */
    METHOD_NOT_FOUND,
    /** What the request names does not exist: no budget, no rating profile, no tariff plan. */
    NOT_FOUND,
    /** The budget cannot pay: not enough SMS, seconds or credit. */
    INSUFFICIENT_FUNDS,
    /** The request id was already used for a different request of the same subscriber. */
    REQUEST_ID_CONFLICT,
    /** The gateway is at one of its limits: try again shortly. Nothing was sent. */
    BUSY,
    /** The request was sent but no reply came in time: it may or may not have been applied. */
    OUTCOME_UNKNOWN,
    /** Kafka or the gateway cannot take requests now. Nothing was sent. */
    UNAVAILABLE,
    /** The gateway does not know who is calling: no API key or client certificate, or an unknown one. Nothing was sent. */
    UNAUTHENTICATED,
    /** The caller is known but may not do this: a tenant or a role it lacks. Nothing was sent. */
    FORBIDDEN,
    /** A bug or an unexpected failure; nothing was changed. */
    INTERNAL;

    /** The wire name: lower case with underscores. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind for a wire name, in any letter case; an unknown name (from a newer version) reads as
     * {@link #INTERNAL}, null as null.
     */
    @JsonCreator
    public static ErrorKind fromWire(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return INTERNAL;
        }
    }
}
