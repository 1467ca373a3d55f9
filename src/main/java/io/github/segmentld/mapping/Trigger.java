package io.github.segmentld.mapping;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Segment's trigger (subscription) language, parsed once into a predicate over events:
 * <pre>
 *   expression := conjunction ("or" conjunction)*
 *   conjunction := term ("and" term)*
 *   term       := "(" expression ")" | ["!"] function | comparison
 *   function   := ("contains" | "match") "(" field "," string ")"
 *   comparison := field ("=" | "!=" | "<" | "<=" | ">" | ">=") value
 *   value      := string | number | "true" | "false" | "null"
 *   field      := type | event | name | userId | properties.x | traits.x | context.x ... (dotted)
 * </pre>
 * {@code and} binds tighter than {@code or}. {@code match} takes a pattern with {@code *} as the wildcard
 * ({@code "s*"}: starts with, {@code "*s"}: ends with). {@code = null} holds for a missing or null field.
 */
public final class Trigger {

    private Trigger() {
    }

    public static Predicate<ObjectNode> parse(String trigger) {
        Parser parser = new Parser(trigger);
        Predicate<ObjectNode> predicate = parser.expression();
        parser.skipSpace();
        if (!parser.atEnd()) {
            throw parser.error("unexpected '" + parser.rest() + "'");
        }
        return predicate;
    }

    private static final class Parser {

        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Predicate<ObjectNode> expression() {
            Predicate<ObjectNode> left = conjunction();
            while (keyword("or")) {
                left = left.or(conjunction());
            }
            return left;
        }

        private Predicate<ObjectNode> conjunction() {
            Predicate<ObjectNode> left = term();
            while (keyword("and")) {
                left = left.and(term());
            }
            return left;
        }

        private Predicate<ObjectNode> term() {
            skipSpace();
            if (consume("(")) {
                Predicate<ObjectNode> inner = expression();
                expect(")");
                return inner;
            }
            int start = pos;
            boolean negated = consume("!");
            String word = identifier();
            skipSpace();
            if ((word.equals("contains") || word.equals("match")) && peek() == '(') {
                Predicate<ObjectNode> function = function(word);
                return negated ? function.negate() : function;
            }
            if (negated) {
                pos = start;
                throw error("'!' only negates contains(...) or match(...)");
            }
            return comparison(word);
        }

        private Predicate<ObjectNode> function(String name) {
            expect("(");
            skipSpace();
            String field = identifier();
            expect(",");
            String argument = string();
            expect(")");
            String[] path = field.split("\\.");
            if (name.equals("contains")) {
                return event -> {
                    String text = text(event, path);
                    return text != null && text.contains(argument);
                };
            }
            Pattern pattern = Pattern.compile("\\Q" + argument.replace("*", "\\E.*\\Q") + "\\E", Pattern.DOTALL);
            return event -> {
                String text = text(event, path);
                return text != null && pattern.matcher(text).matches();
            };
        }

        private Predicate<ObjectNode> comparison(String field) {
            skipSpace();
            String operator = operator();
            skipSpace();
            int valueAt = pos;
            Object value = value();
            String[] path = field.split("\\.");
            return switch (operator) {
                case "=" -> event -> equalTo(lookup(event, path), value);
                case "!=" -> event -> !equalTo(lookup(event, path), value);
                default -> {
                    if (!(value instanceof BigDecimal bound)) {
                        pos = valueAt;
                        throw error("'" + operator + "' compares numbers");
                    }
                    yield event -> {
                        JsonNode actual = lookup(event, path);
                        if (actual == null || !actual.isNumber()) {
                            return false;
                        }
                        int c = actual.decimalValue().compareTo(bound);
                        return switch (operator) {
                            case "<" -> c < 0;
                            case "<=" -> c <= 0;
                            case ">" -> c > 0;
                            default -> c >= 0;
                        };
                    };
                }
            };
        }

        private static boolean equalTo(JsonNode actual, Object expected) {
            if (expected == null) {
                return actual == null || actual.isNull();
            }
            if (actual == null) {
                return false;
            }
            if (expected instanceof BigDecimal number) {
                return actual.isNumber() && actual.decimalValue().compareTo(number) == 0;
            }
            if (expected instanceof Boolean bool) {
                return actual.isBoolean() && actual.booleanValue() == bool;
            }
            return actual.isTextual() && actual.textValue().equals(expected);
        }

        private static JsonNode lookup(ObjectNode event, String[] path) {
            JsonNode node = event;
            for (String step : path) {
                node = node.get(step);
                if (node == null) {
                    return null;
                }
            }
            return node;
        }

        private static String text(ObjectNode event, String[] path) {
            JsonNode node = lookup(event, path);
            return node != null && node.isTextual() ? node.textValue() : null;
        }

        private String operator() {
            for (String op : List.of("!=", "<=", ">=", "=", "<", ">")) {
                if (text.startsWith(op, pos)) {
                    pos += op.length();
                    return op;
                }
            }
            throw error("expected an operator (=, !=, <, <=, >, >=)");
        }

        private Object value() {
            if (peek() == '"') {
                return string();
            }
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "+-.".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "true":
                    return Boolean.TRUE;
                case "false":
                    return Boolean.FALSE;
                case "null":
                    return null;
                default:
                    try {
                        return new BigDecimal(word);
                    } catch (NumberFormatException notANumber) {
                        pos = start;
                        throw error("expected a value (a \"string\", a number, true, false or null)");
                    }
            }
        }

        private String string() {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a \"string\"");
            }
            StringBuilder out = new StringBuilder();
            pos++;
            while (pos < text.length() && text.charAt(pos) != '"') {
                char c = text.charAt(pos++);
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                out.append(c);
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            pos++;
            return out.toString();
        }

        private String identifier() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "_.$-".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a field or condition");
            }
            return text.substring(start, pos);
        }

        private boolean keyword(String word) {
            skipSpace();
            int end = pos + word.length();
            if (text.regionMatches(pos, word, 0, word.length())
                    && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
                pos = end;
                return true;
            }
            return false;
        }

        private boolean consume(String token) {
            skipSpace();
            if (text.startsWith(token, pos)) {
                pos += token.length();
                return true;
            }
            return false;
        }

        private void expect(String token) {
            if (!consume(token)) {
                throw error("expected '" + token + "'");
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        String rest() {
            return text.substring(pos);
        }

        TriggerSyntaxException error(String problem) {
            return new TriggerSyntaxException(text, pos, problem);
        }
    }
}
