package io.github.segmentld.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.config.AlertRule.Kind;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.observe.DeliveryRates;

/**
 * Reads the alert rules file (named by {@code alerts.file}): the channels notices go to, and the rules. Everything is
 * checked at start-up, and the first mistake is reported with the file and the rule or channel it is in:
 * <pre>
 * channels:
 *   - name: team-slack
 *     type: slack                                      # or webhook: Alertmanager's webhook JSON
 *     url: "{{env:SLACK_WEBHOOK_URL}}"                 # a secret: from the environment, never logged
 * rules:
 *   - name: staging-delivery-rate
 *     kind: delivery-rate                              # or retry-queue-age, no-delivery
 *     destination: staging
 *     threshold-percent: 95
 *     window: 15m
 *     min-outcomes: 100
 *     channels: [team-slack]
 * </pre>
 * Property placeholders are resolved in every value. The keys known at each level are read from
 * {@code alerts.schema.json}, which documents them and their defaults.
 */
public final class AlertRulesFile {

    public static final String SCHEMA = "alerts.schema.json";
    private static final JsonNode SCHEMA_TREE = FileSettings.schema(SCHEMA);
    private static final Set<String> FILE_KEYS = FileSettings.keysOf(SCHEMA_TREE);
    private static final Set<String> CHANNEL_KEYS = FileSettings.keysOf(SCHEMA_TREE.path("$defs").path("channel"));
    private static final Set<String> RULE_KEYS = FileSettings.keysOf(SCHEMA_TREE.path("$defs").path("rule"));
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");
    private static final Duration MIN_WINDOW = Duration.ofMinutes(5);

    private final FileSettings settings;

    /** @param placeholders resolves property placeholders in values */
    public AlertRulesFile(UnaryOperator<String> placeholders) {
        this.settings = new FileSettings(placeholders);
    }

    /**
     * The channels and rules of a file.
     *
     * @param digest the SHA-256 of the file's bytes; null without a file
     */
    public record AlertRules(List<AlertChannel> channels, List<AlertRule> rules, String digest) {

        public static final AlertRules NONE = new AlertRules(List.of(), List.of(), null);

        public AlertRules {
            channels = List.copyOf(channels);
            rules = List.copyOf(rules);
        }
    }

    /**
     * @param instances the destination instances the rules may name, with their mappings
     * @throws IllegalStateException naming the file and the rule or channel of the first mistake
     */
    public AlertRules read(Path file, List<DestinationInstance> instances) {
        return read(file(file), instances);
    }

    /**
     * The file's bytes, read once, for {@link #read(FileVersion, List)}.
     *
     * @throws IllegalStateException when it is not there or cannot be read, naming the file and the setting
     */
    public static FileVersion file(Path file) {
        return FileVersion.read(file, "Alert rules file " + file, "alerts.file");
    }

    /**
     * @param instances the destination instances the rules may name, with their mappings
     * @throws IllegalStateException naming the file and the rule or channel of the first mistake
     */
    public AlertRules read(FileVersion file, List<DestinationInstance> instances) {
        String where = "Alert rules file " + file.path();
        JsonNode root = FileSettings.parseYaml(file.content(), where);
        if (root == null || !root.isObject()) {
            throw new IllegalStateException(where + ": expected 'channels:' and 'rules:'");
        }
        FileSettings.checkKeys(root, FILE_KEYS, where);
        Map<String, AlertChannel> channels = new HashMap<>();
        int index = 0;
        for (JsonNode node : list(root, "channels", where)) {
            AlertChannel channel = channel(node, where, ++index);
            if (channels.putIfAbsent(channel.name(), channel) != null) {
                throw new IllegalStateException(where + ": two channels are named '" + channel.name() + "'");
            }
        }
        Map<String, DestinationInstance> destinations = new HashMap<>();
        instances.stream().filter(DestinationInstance::enabled).forEach(i -> destinations.put(i.name(), i));
        List<AlertRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        index = 0;
        for (JsonNode node : list(root, "rules", where)) {
            AlertRule rule = rule(node, where, ++index, destinations, channels.keySet());
            if (!names.add(rule.name())) {
                throw new IllegalStateException(where + ": two rules are named '" + rule.name() + "'");
            }
            rules.add(rule);
        }
        return new AlertRules(new ArrayList<>(channels.values()), rules, file.digest());
    }

    private AlertChannel channel(JsonNode node, String inFile, int index) {
        String numbered = inFile + ", channel number " + index;
        if (!node.isObject()) {
            throw new IllegalStateException(numbered + ": expected the settings of a channel");
        }
        String name = name(node, numbered);
        String where = inFile + ", channel '" + name + "'";
        FileSettings.checkKeys(node, CHANNEL_KEYS, where);
        String type = settings.setting(node, "type", where);
        if (!type.equals(AlertChannel.WEBHOOK) && !type.equals(AlertChannel.SLACK)) {
            throw new IllegalStateException(where + ": type must be " + AlertChannel.WEBHOOK + " or "
                    + AlertChannel.SLACK + ", not '" + type + "'");
        }
        String url = settings.setting(node, "url", where);
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                // the value itself is not repeated: it may hold a token
                throw new URISyntaxException("(not shown)", "not an http or https URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(where + ": url " + (url.isEmpty() ? "is empty (an environment variable"
                    + " it names may be unset)" : "is not an http or https URL with a host"));
        }
        return new AlertChannel(name, type, url);
    }

    private AlertRule rule(JsonNode node, String inFile, int index, Map<String, DestinationInstance> destinations,
                           Set<String> channels) {
        String numbered = inFile + ", rule number " + index;
        if (!node.isObject()) {
            throw new IllegalStateException(numbered + ": expected the settings of a rule");
        }
        String name = name(node, numbered);
        String where = inFile + ", rule '" + name + "'";
        FileSettings.checkKeys(node, RULE_KEYS, where);
        String kindKey = settings.setting(node, "kind", where);
        Kind kind = null;
        for (Kind known : Kind.values()) {
            if (known.key().equals(kindKey)) {
                kind = known;
            }
        }
        if (kind == null) {
            throw new IllegalStateException(where + ": kind must be delivery-rate, retry-queue-age or no-delivery, not '"
                    + kindKey + "'");
        }
        String destination = settings.setting(node, "destination", where);
        DestinationInstance instance = destinations.get(destination);
        if (instance == null) {
            throw new IllegalStateException(where + ": destination '" + destination + "' is not an enabled destination"
                    + " instance (known: " + String.join(", ", new TreeSet<>(destinations.keySet())) + ")");
        }
        String mapping = settings.setting(node, "mapping", where);
        if (!mapping.isEmpty()) {
            if (kind != Kind.DELIVERY_RATE) {
                throw new IllegalStateException(where + ": mapping applies to delivery-rate rules only");
            }
            if (instance.mappings().stream().map(Mapping::name).noneMatch(mapping::equals)) {
                throw new IllegalStateException(where + ": destination '" + destination + "' has no mapping named '"
                        + mapping + "'");
            }
        }
        only(node, kind, Kind.DELIVERY_RATE, where, "threshold-percent", "resolve-above-percent", "min-outcomes");
        only(node, kind, Kind.RETRY_QUEUE_AGE, where, "max-age");
        if (kind == Kind.RETRY_QUEUE_AGE && node.has("window")) {
            throw new IllegalStateException(where + ": window does not apply to a retry-queue-age rule (see max-age)");
        }
        double threshold = 0;
        double resolveAbove = 0;
        long minOutcomes = 0;
        Duration window = null;
        Duration maxAge = null;
        if (kind == Kind.DELIVERY_RATE) {
            threshold = percent(node, "threshold-percent", where, null);
            resolveAbove = percent(node, "resolve-above-percent", where, Math.min(100, threshold + 1));
            if (resolveAbove < threshold) {
                throw new IllegalStateException(where + ": resolve-above-percent (" + resolveAbove
                        + ") must not be below threshold-percent (" + threshold + ")");
            }
            minOutcomes = count(node, "min-outcomes", where, 20);
        }
        if (kind == Kind.RETRY_QUEUE_AGE) {
            maxAge = duration(node, "max-age", where, null);
        } else {
            window = duration(node, "window", where, Duration.ofMinutes(15));
            if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(DeliveryRates.MAX_WINDOW) > 0) {
                throw new IllegalStateException(where + ": window must be from 5m to 24h, not "
                        + settings.setting(node, "window", where));
            }
        }
        Duration pendingFor = duration(node, "for", where, Duration.ZERO);
        Duration repeatInterval = duration(node, "repeat-interval", where, Duration.ofHours(4));
        String severity = settings.setting(node, "severity", where);
        List<String> ruleChannels = new ArrayList<>();
        JsonNode listed = node.path("channels");
        if (!listed.isMissingNode() && !listed.isNull() && !listed.isArray()) {
            throw new IllegalStateException(where + ": channels must be a list of channel names");
        }
        for (JsonNode channel : listed) {
            if (!channels.contains(channel.asText())) {
                throw new IllegalStateException(where + ": no channel is named '" + channel.asText() + "' (known: "
                        + String.join(", ", new TreeSet<>(channels)) + ")");
            }
            ruleChannels.add(channel.asText());
        }
        return new AlertRule(name, kind, destination, mapping.isEmpty() ? null : mapping, threshold, resolveAbove,
                window, minOutcomes, maxAge, pendingFor, repeatInterval, severity.isEmpty() ? "warning" : severity,
                ruleChannels);
    }

    private String name(JsonNode node, String where) {
        String name = settings.setting(node, "name", where);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(where + ": name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    private static Iterable<JsonNode> list(JsonNode root, String key, String where) {
        JsonNode list = root.path(key);
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalStateException(where + ": " + key + " must be a list");
        }
        return list;
    }

    /** Refuses the keys of another kind of rule, which would otherwise be silently without effect. */
    private static void only(JsonNode node, Kind kind, Kind owner, String where, String... keys) {
        for (String key : keys) {
            if (kind != owner && node.has(key)) {
                throw new IllegalStateException(where + ": " + key + " applies to " + owner.key() + " rules only");
            }
        }
    }

    private double percent(JsonNode node, String key, String where, Double byDefault) {
        String value = settings.setting(node, key, where);
        if (value.isEmpty() && byDefault != null) {
            return byDefault;
        }
        try {
            double percent = Double.parseDouble(value);
            if (percent >= 0 && percent <= 100) {
                return percent;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalStateException(where + ": " + key + " must be a number from 0 to 100, not '" + value + "'");
    }

    private long count(JsonNode node, String key, String where, long byDefault) {
        String value = settings.setting(node, key, where);
        if (value.isEmpty()) {
            return byDefault;
        }
        try {
            long count = Long.parseLong(value);
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalStateException(where + ": " + key + " must be a whole number from 1, not '" + value + "'");
    }

    /** A duration such as 90s, 15m, 1h30m or 1d; required when byDefault is null. */
    private Duration duration(JsonNode node, String key, String where, Duration byDefault) {
        String value = settings.setting(node, key, where);
        if (value.isEmpty()) {
            if (byDefault == null) {
                throw new IllegalStateException(where + ": " + key + " is required (a duration such as 30m)");
            }
            return byDefault;
        }
        Duration duration = Duration.ZERO;
        Matcher part = DURATION.matcher(value);
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            duration = duration.plus(switch (part.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = part.end();
        }
        if (end == 0 || end != value.length()) {
            throw new IllegalStateException(where + ": " + key + " must be a duration such as 90s, 15m, 1h30m or 1d,"
                    + " not '" + value + "'");
        }
        return duration;
    }
}
