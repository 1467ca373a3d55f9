package io.github.segmentld.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Locale;

import io.github.segmentld.EnvironmentSettings;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;

/**
 * Checks, just before the HTTP server and the management server bind, that each can listen where it is configured.
 * Otherwise Vert.x logs a stack trace and the application runs on without that server, the embedded LaunchDarkly
 * stand-in posting to whatever owns the port; a newcomer with another service on 8080 deserves one line saying what to
 * change instead.
 */
public final class ServerPorts extends MainListenerSupport {

    /** The exit status when a server cannot listen: EX_CONFIG of sysexits.h, a setting to change, not a crash. */
    public static final int EXIT_CODE = 78;

    @Override
    public void beforeStart(BaseMainSupport main) {
        HttpServerConfigurationProperties server = main.configure().httpServer();
        if (server.isEnabled()) {
            check(server.getHost(), server.getPort(), "camel.server");
        }
        HttpManagementServerConfigurationProperties management = main.configure().httpManagementServer();
        if (management.isEnabled()) {
            check(management.getHost(), management.getPort(), "camel.management");
        }
    }

    /** @throws Unavailable naming the keys to change */
    static void check(String host, int port, String keyPrefix) {
        if (port == 0) {
            return;
        }
        String portKey = keyPrefix + ".port";
        try (ServerSocket socket = new ServerSocket()) {
            // as Vert.x binds, so that connections of an earlier run still in TIME_WAIT do not count as in use
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("in use")) {
                throw new Unavailable("Port " + port + " is in use: set " + named(portKey) + " to a free port");
            }
            throw cannotListen(host, port, keyPrefix, e);
        } catch (IOException | IllegalArgumentException e) {
            throw cannotListen(host, port, keyPrefix, e);
        }
    }

    private static Unavailable cannotListen(String host, int port, String keyPrefix, Exception e) {
        return new Unavailable("Cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): check "
                + named(keyPrefix + ".host") + " and " + named(keyPrefix + ".port"));
    }

    private static String named(String key) {
        return key + " (" + EnvironmentSettings.variableName(key) + ")";
    }

    /** A server cannot listen where it is configured; the message is the whole story, for one log line. */
    public static final class Unavailable extends RuntimeException {

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}
