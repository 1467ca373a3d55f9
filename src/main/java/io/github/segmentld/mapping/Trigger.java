package io.github.segmentld.mapping;

import java.math.BigDecimal;
import java.util.ArrayList;
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
public final class Trigger implements Predicate<ObjectNode> {

    private final String text;
    private final Condition condition;

    private Trigger(String text, Condition condition) {
        this.text = text;
        this.condition = condition;
    }

    public static Trigger parse(String trigger) {
        Parser parser = new Parser(trigger);
        Condition condition = parser.expression();
        parser.skipSpace();
        if (!parser.atEnd()) {
            throw parser.error("unexpected '" + parser.rest() + "'");
        }
        return new Trigger(trigger, condition);
    }

    @Override
    public boolean test(ObjectNode event) {
        return condition.test(event);
    }

    /**
     * Why the trigger does not apply to an event, for the mapping preview: the conditions that failed, each with the
     * value the event has, such as {@code event = "Order Completed" is false: event is "Signed Up"}.
     */
    public String whyNot(ObjectNode event) {
        return condition.test(event) ? "" : condition.whyNot(event);
    }

    @Override
    public String toString() {
        return text;
    }

    private interface Condition {

        boolean test(ObjectNode event);

        String whyNot(ObjectNode event);
    }

    private record AnyOf(List<Condition> parts) implements Condition {

        public boolean test(ObjectNode event) {
            for (Condition part : parts) {
                if (part.test(event)) {
                    return true;
                }
            }
            return false;
        }

        public String whyNot(ObjectNode event) {
            return String.join("; ", parts.stream().map(part -> part.whyNot(event)).toList());
        }
    }

    private record AllOf(List<Condition> parts) implements Condition {

        public boolean test(ObjectNode event) {
            for (Condition part : parts) {
                if (!part.test(event)) {
                    return false;
                }
            }
            return true;
        }

        public String whyNot(ObjectNode event) {
            return parts.stream().filter(part -> !part.test(event)).findFirst().orElseThrow().whyNot(event);
        }
    }

    /** One comparison or function, with its text as written and the field it reads. */
    private record Leaf(String text, String[] path, Predicate<ObjectNode> predicate) implements Condition {

        private static final int SHOWN_CHARS = 80;

        public boolean test(ObjectNode event) {
            return predicate.test(event);
        }

        public String whyNot(ObjectNode event) {
            JsonNode actual = lookup(event, path);
            String shown = actual == null ? "is missing" : "is " + actual;
            if (shown.length() > SHOWN_CHARS) {
                shown = shown.substring(0, SHOWN_CHARS) + "...";
            }
            return text + " is false: " + String.join(".", path) + " " + shown;
        }
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

    private static final class Parser {

        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Condition expression() {
            List<Condition> alternatives = new ArrayList<>(List.of(conjunction()));
            while (keyword("or")) {
                alternatives.add(conjunction());
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new AnyOf(List.copyOf(alternatives));
        }

        private Condition conjunction() {
            List<Condition> terms = new ArrayList<>(List.of(term()));
            while (keyword("and")) {
                terms.add(term());
            }
            return terms.size() == 1 ? terms.get(0) : new AllOf(List.copyOf(terms));
        }

        private Condition term() {
            skipSpace();
            if (consume("(")) {
                Condition inner = expression();
                expect(")");
                return inner;
            }
            int start = pos;
            boolean negated = consume("!");
            String word = identifier();
            skipSpace();
            if ((word.equals("contains") || word.equals("match")) && peek() == '(') {
                return function(start, negated, word);
            }
            if (negated) {
                pos = start;
                throw error("'!' only negates contains(...) or match(...)");
            }
            String[] path = word.split("\\.");
            return leaf(start, path, comparison(path));
        }

        /** A condition read from {@code start} to the current position. */
        private Leaf leaf(int start, String[] path, Predicate<ObjectNode> predicate) {
            return new Leaf(text.substring(start, pos).strip(), path, predicate);
        }

        private Condition function(int start, boolean negated, String name) {
            expect("(");
            skipSpace();
            String field = identifier();
            expect(",");
            String argument = string();
            expect(")");
            String[] path = field.split("\\.");
            Predicate<ObjectNode> function;
            if (name.equals("contains")) {
                function = event -> {
                    String text = text(event, path);
                    return text != null && text.contains(argument);
                };
            } else {
                Pattern pattern = Pattern.compile("\\Q" + argument.replace("*", "\\E.*\\Q") + "\\E", Pattern.DOTALL);
                function = event -> {
                    String text = text(event, path);
                    return text != null && pattern.matcher(text).matches();
                };
            }
            return leaf(start, path, negated ? function.negate() : function);
        }

        private Predicate<ObjectNode> comparison(String[] path) {
            skipSpace();
            String operator = operator();
            skipSpace();
            int valueAt = pos;
            Object value = value();
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
