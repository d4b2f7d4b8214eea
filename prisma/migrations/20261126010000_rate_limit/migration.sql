-- CreateTable (UNLOGGED: see schema.prisma)
CREATE UNLOGGED TABLE "rate_limit_window" (
    "key" TEXT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "rate_limit_window_pkey" PRIMARY KEY ("key","window_start")
);
