package io.github.segmentld.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x instance for Camel's HTTP servers (the application's and the management server), which holds every HTTP
 * server it creates to the {@link HttpLimits}: the idle timeout through Vert.x's own {@link HttpServerOptions}, the
 * rest through a {@link ConnectionGuard}. Camel's platform-http takes the Vert.x instance of the registry but builds
 * the server options itself, with no setting for any of these; creating the servers is the one place left to set
 * them, hence a decorator of the instance.
 */
final class GuardedVertx implements InvocationHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedVertx.class);

    private final Vertx delegate;
    private final HttpLimits limits;

    private GuardedVertx(Vertx delegate, HttpLimits limits) {
        this.delegate = delegate;
        this.limits = limits;
    }

    /** {@code delegate}, but the HTTP servers it creates hold to {@code limits}. */
    static Vertx of(Vertx delegate, HttpLimits limits) {
        return (Vertx) Proxy.newProxyInstance(GuardedVertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
                new GuardedVertx(delegate, limits));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("createHttpServer")) {
            return createHttpServer(args == null || args.length == 0 ? new HttpServerOptions() : (HttpServerOptions) args[0]);
        }
        if (method.getName().equals("toString") && method.getParameterCount() == 0) {
            return "Vert.x for the HTTP servers (" + limits + ")";
        }
        return call(delegate, method, args);
    }

    private HttpServer createHttpServer(HttpServerOptions given) {
        HttpServerOptions options = new HttpServerOptions(given)
                .setIdleTimeout((int) limits.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                // With cleartext HTTP/2 on, Vert.x hands a connection over only once its first bytes tell the
                // protocol, so a client that sends nothing would never be seen. Segment's clients speak HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
        HttpServer server = delegate.createHttpServer(options);
        ConnectionGuard guard = new ConnectionGuard(delegate, limits);
        server.connectionHandler(guard::connected);
        return (HttpServer) Proxy.newProxyInstance(GuardedVertx.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                new GuardedServer(server, guard));
    }

    /**
     * Tells the guard of each request before the server's own request handler (Camel's router) sees it, and gives the
     * router a handler for bodies cut off, which the body timeout makes ordinary.
     */
    private static final class GuardedServer implements InvocationHandler {

        private final HttpServer delegate;
        private final ConnectionGuard guard;

        GuardedServer(HttpServer delegate, ConnectionGuard guard) {
            this.delegate = delegate;
            this.guard = guard;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                if (handler instanceof Router router) {
                    router.errorHandler(200, GuardedVertx::bodyNotRead);
                }
                delegate.requestHandler(request -> {
                    guard.requestReceived(request);
                    handler.handle(request);
                });
                return proxy;
            }
            Object result = call(delegate, method, args);
            // the fluent setters return the server: keep the caller on the guarded one
            return result == delegate ? proxy : result;
        }
    }

    /**
     * A request whose body could not be read to the end: vert.x-web reports it with the status 200 and, without a
     * handler for that status, logs an error for each. A connection closed before the end of its body (the client gone,
     * or the body timeout) is no error of the application's. vert.x-web answers afterwards as it would without this.
     */
    private static void bodyNotRead(RoutingContext context) {
        if (context.failure() instanceof HttpClosedException) {
            LOG.debug("Connection from {} closed before the end of the request's body", context.request().remoteAddress());
        } else {
            LOG.warn("The body of a request from {} could not be read: {}", context.request().remoteAddress(),
                    context.failure() == null ? "no reason given" : context.failure().toString());
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
