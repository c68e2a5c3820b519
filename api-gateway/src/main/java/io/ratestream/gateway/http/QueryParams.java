package io.ratestream.gateway.http;

import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.json.BoundedDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Query strings as the original API page writes them: {@code cstmid=vdf&subj=rif&dest=0257@amount=100},
 * where {@code @} is read as {@code &} when what follows it is another {@code name=value}. Names are
 * case-insensitive; a name given twice is refused (which one would count?).
 */
final class QueryParams {

    private QueryParams() {
    }

    static Map<String, String> parse(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String part : query.split("&")) {
            String[] pieces = part.split("@", -1);
            StringBuilder current = new StringBuilder(pieces[0]);
            for (int i = 1; i < pieces.length; i++) {
                if (pieces[i].contains("=")) {
                    put(params, current.toString());
                    current = new StringBuilder(pieces[i]);
                } else {
                    current.append('@').append(pieces[i]);
                }
            }
            put(params, current.toString());
        }
        return params;
    }

    private static void put(Map<String, String> params, String pair) {
        if (pair.isEmpty()) {
            return;
        }
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals)).toLowerCase(Locale.ROOT);
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
        if (params.putIfAbsent(name, value) != null) {
            throw RpcException.badRequest("query parameter '" + BoundedDecimal.quote(name) + "' is given more than once");
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw RpcException.badRequest("malformed query string: " + BoundedDecimal.quote(e.getMessage()));
        }
    }
}
