package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.index.IndexedJob;
import io.genworker.intake.ReadOutcome;
import io.genworker.intake.RequestReader;

/** The request-topic record that retries an indexed job, checked by intake's rules of today. */
@ApplicationScoped
public class RetryCommands {

    private final RequestReader reader;
    private final WorkerConfig worker;
    private final ObjectMapper mapper;

    public RetryCommands(RequestReader reader, WorkerConfig worker, ObjectMapper mapper) {
        this.reader = reader;
        this.worker = worker;
        this.mapper = mapper;
    }

    /**
     * @throws ApiProblemException (400) when intake would refuse the retry (the catalogue changed since)
     */
    ProducerRecord<String, byte[]> record(IndexedJob job, String path) {
        String retryId = RetryIds.next(job.jobId(), worker.intake().maxJobIdLength());
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(RetryRequests.request(job, retryId, mapper));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the retry of " + job.jobId(), e);
        }
        if (reader.read(retryId, value, retryId) instanceof ReadOutcome.Invalid invalid) {
            throw new ApiProblemException(ApiProblem.invalid("The retry of " + job.jobId() + " would be refused: "
                    + invalid.error().message(), path, JobCommandResource.fieldErrors(invalid.error().details())));
        }
        return new ProducerRecord<>(worker.topics().requests(), retryId, value);
    }
}
