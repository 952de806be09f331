"""The scheduler service: TaskJuggler runs on request, over RabbitMQ."""
