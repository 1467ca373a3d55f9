package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.Json;

/** A LaunchDarkly events API stand-in on 127.0.0.1 and a port of its own, answering 202 unless told otherwise. */
final class LaunchDarklyStandInServer {

    static final String BULK_PATH = "/events/bulk/.*";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    LaunchDarklyStandInServer() {
        server.start();
        acceptEverything();
    }

    WireMockServer wireMock() {
        return server;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Answers the first request with {@code first}, and 202 after that. */
    void answerFirst(ResponseDefinitionBuilder first) {
        server.stubFor(post(urlPathMatching(BULK_PATH)).inScenario("first answer")
                .whenScenarioStateIs(STARTED).willSetStateTo("answered").willReturn(first));
        server.stubFor(post(urlPathMatching(BULK_PATH)).inScenario("first answer")
                .whenScenarioStateIs("answered").willReturn(aResponse().withStatus(202)));
    }

    void acceptEverything() {
        server.resetAll();
        server.stubFor(post(urlPathMatching(BULK_PATH)).atPriority(10).willReturn(aResponse().withStatus(202)));
    }

    List<LoggedRequest> requests() {
        return server.findAll(postRequestedFor(urlPathMatching(BULK_PATH)));
    }

    /**
     * The batches LaunchDarkly accepted (answered 2xx), by payload ID, as LaunchDarkly keeps them: a payload ID it
     * accepted before is dropped.
     */
    Map<String, JsonNode> accepted() {
        return accepted("/events/bulk/");
    }

    /** The batches accepted on URLs that start with {@code path}, by payload ID. */
    Map<String, JsonNode> accepted(String path) {
        Map<String, JsonNode> accepted = new LinkedHashMap<>();
        List<ServeEvent> served = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(served);
        for (ServeEvent event : served) {
            if (event.getResponse().getStatus() / 100 == 2 && event.getResponseDefinition().getFault() == null
                    && event.getRequest().getUrl().startsWith(path)) {
                accepted.putIfAbsent(event.getRequest().getHeader("X-LaunchDarkly-Payload-ID"),
                        Json.parse(event.getRequest().getBodyAsString()));
            }
        }
        return accepted;
    }

    /** The user of each event LaunchDarkly accepted: several entries for one user mean an event delivered twice. */
    List<String> acceptedUsers() {
        return acceptedUsersOf("/events/bulk/");
    }

    /** The user of each event accepted on URLs that start with {@code path}. */
    List<String> acceptedUsersOf(String path) {
        List<String> users = new ArrayList<>();
        accepted(path).values().forEach(batch -> batch.forEach(event -> users.add(event.has("contextKeys")
                ? event.path("contextKeys").path("user").asText() : event.path("key").asText())));
        return users;
    }

    static JsonNode body(LoggedRequest request) {
        return Json.parse(request.getBodyAsString());
    }

    static String payloadId(LoggedRequest request) {
        return request.getHeader("X-LaunchDarkly-Payload-ID");
    }

    void stop() {
        server.stop();
    }
}
